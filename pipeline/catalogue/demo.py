"""Believable demo catalogues for `zwgk demo`: 灵宝市 (pilot) all 26 domains in one workbook,
陕州区 three complete domains, 湖滨区 a few domains, one workbook each, with the faults real
catalogues have (missing 依据, a 时限 of 「尽快」, nothing ticked under 公开方式, a duplicate
item, an empty domain). Deterministic for a given seed."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pandas as pd

from ..dates import parse_quarter
from ..names import CATALOGUE_DIR
from ..outputs import atomic_path
from ..reference import Reference

# domain name -> (basis, "一级:二级=内容;二级=内容|一级:…")
DEMO_ITEMS: dict[str, tuple[str, str]] = {
    "城乡规划": ("《中华人民共和国城乡规划法》", "规划编制:城乡规划草案=规划草案文本、图件、公示时间及意见反馈方式;规划批准文件=批准的控制性详细规划及批准文件|规划许可:建设工程规划许可证核发=申请材料、办理流程、办理时限及许可结果;乡村建设规划许可证核发=申请条件、办理程序及许可结果"),
    "征地补偿": ("《中华人民共和国土地管理法》", "征收土地信息:征收土地预公告=征收范围、征收目的及土地现状调查安排;征地补偿安置方案=补偿标准、安置方式及社会保障措施|征地补偿:补偿款发放情况=被征收土地权利人、补偿金额及发放时间"),
    "重大建设项目": ("《政府投资条例》", "批准服务信息:审批核准备案结果=项目名称、批复文号及批复时间|招标投标信息:招标公告=招标项目、招标范围及投标人资格要求|施工有关信息:质量安全监督检查=监督检查结果及整改情况"),
    "公共资源交易": ("《公共资源交易平台管理暂行办法》", "交易公告:工程建设项目招标公告=项目概况、招标范围、报名时间及联系方式|交易结果:中标候选人公示=中标候选人名称、投标报价及公示期限|信用信息:违法违规行为处理结果=市场主体名称、违法事实及处理结果"),
    "财政预决算": ("《中华人民共和国预算法》", "政府预决算:政府预算=一般公共预算、政府性基金预算、国有资本经营预算及说明;政府决算=决算报表及说明|部门预决算:部门预算=部门收支总表、项目支出预算及说明;“三公”经费预算=因公出国（境）费、公务接待费、公务用车购置及运行费"),
    "安全生产": ("《中华人民共和国安全生产法》", "行政许可:安全生产许可=许可条件、办理程序及许可结果|行政检查:执法检查结果=检查对象、检查时间、发现问题及处理情况|事故处置:生产安全事故调查报告=事故经过、原因分析及责任认定"),
    "救灾": ("《自然灾害救助条例》", "救灾政策:自然灾害救助政策=救助标准、申请程序及政策文件|灾情信息:灾情及救灾工作动态=受灾范围、受灾人口及救灾措施|救灾款物:救灾资金物资分配使用情况=资金物资来源、分配对象及使用情况"),
    "税收管理": ("《中华人民共和国税收征收管理法》", "税收政策:税收政策文件及解读=政策文件原文及解读材料|纳税服务:办税服务厅信息=办税服务厅地址、办公时间及办税流程|税务执法:重大税收违法失信案件=案件当事人、主要违法事实及处理情况"),
    "国有土地上房屋征收与补偿": ("《国有土地上房屋征收与补偿条例》", "征收启动:房屋征收决定=征收范围、征收实施单位及签约期限|征收补偿:征收补偿方案=补偿方式、补偿标准及搬迁奖励;分户补偿结果=被征收人、补偿金额及安置房源"),
    "保障性住房": ("《公共租赁住房管理办法》", "保障政策:申请条件及程序=保障对象、准入条件及申请程序|分配管理:公共租赁住房分配结果=配租对象、房源位置及配租时间|退出管理:退出管理情况=退出原因及办理结果"),
    "农村危房改造": ("《住房城乡建设部 财政部 国务院扶贫办关于决战决胜脱贫攻坚进一步做好农村危房改造工作的通知》（建村〔2019〕83号）", "政策信息:补助对象及标准=补助对象范围、补助标准及申请程序|对象认定:改造对象评议审核结果=改造户姓名、改造方式及审核结果|补助资金:补助资金发放情况=补助对象、补助金额及发放时间"),
    "城市综合执法": ("《中华人民共和国行政处罚法》", "执法依据:权责清单=执法事项、执法依据及责任主体|执法程序:行政处罚流程=立案、调查、告知、决定、送达等环节|执法结果:行政处罚决定=被处罚对象、违法事实及处罚结果"),
    "市政服务": ("《城市道路管理条例》", "供水供气:计划停水停气通知=停水停气范围、时间及原因|道路管理:城市道路挖掘占用许可=申请条件、办理流程及许可结果|园林绿化:城市绿地建设管理信息=绿地建设项目及管护情况"),
    "环境保护": ("《中华人民共和国环境保护法》", "环境质量:空气质量状况=空气质量指数及达标情况|环境影响评价:建设项目环评审批结果=项目名称、建设地点及审批意见|环境执法:环境行政处罚决定=被处罚单位、违法事实及处罚结果"),
    "公共文化服务": ("《中华人民共和国公共文化服务保障法》", "场馆服务:公共文化场馆开放信息=场馆名称、地址、开放时间及服务项目|文化活动:群众文化活动信息=活动名称、时间、地点及参与方式|非遗保护:非物质文化遗产名录=项目名称、传承人及保护单位"),
    "公共法律服务": ("《法律援助条例》", "法律援助:法律援助申请条件及程序=申请条件、所需材料及办理流程|人民调解:人民调解组织信息=调解组织名称、地址及联系方式|服务平台:公共法律服务中心（站）信息=服务地址、服务时间及服务事项"),
    "扶贫": ("《中共中央 国务院关于打赢脱贫攻坚战三年行动的指导意见》", "扶贫政策:扶贫政策文件=政策文件原文及解读|扶贫对象:贫困户识别退出情况=识别标准、程序及结果|扶贫资金:扶贫项目资金安排及使用情况=项目名称、资金规模、实施单位及绩效目标"),
    "社会救助": ("《社会救助暂行办法》", "最低生活保障:低保申请条件和程序=申请条件、所需材料及审核程序;低保对象名单=户主姓名、保障人数及保障金额|特困人员供养:特困供养标准=基本生活标准及照料护理标准|临时救助:临时救助情况=救助对象、救助事由及救助金额"),
    "养老服务": ("《中华人民共和国老年人权益保障法》", "养老机构:养老机构名录=机构名称、地址、床位数及收费标准|养老补贴:高龄津贴发放情况=发放对象、标准及时间|监督管理:养老服务监督检查结果=检查对象、发现问题及整改情况"),
    "食品药品监管": ("《中华人民共和国食品安全法》", "行政许可:食品经营许可=申请材料、办理流程及许可结果|监督抽检:食品安全监督抽检结果=抽检产品、被抽检单位及检验结论|行政处罚:食品药品行政处罚案件=当事人、违法事实及处罚结果"),
    "就业创业": ("《中华人民共和国就业促进法》", "就业服务:招聘岗位信息=用人单位、岗位名称、招聘人数及联系方式|创业扶持:创业担保贷款政策=申请条件、贷款额度及办理程序|就业补贴:就业补贴发放情况=补贴类型、发放对象及金额"),
    "社会保险": ("《中华人民共和国社会保险法》", "参保登记:城乡居民养老保险参保办理=参保条件、缴费档次及办理流程|待遇享受:社会保险待遇标准=待遇项目、标准及领取条件|基金管理:社会保险基金收支情况=基金收入、支出及结余"),
    "户籍管理": ("《中华人民共和国户口登记条例》", "户口登记:出生登记办理=办理条件、所需材料及办理流程|户口迁移:户口迁移办理=迁入条件、所需材料及办理时限|居民身份证:居民身份证办理=申领条件、收费标准及办理地点"),
    "涉农补贴": ("《农业相关转移支付资金管理办法》（财农〔2020〕10号）", "补贴政策:耕地地力保护补贴政策=补贴对象、补贴标准及申领程序|补贴对象:补贴对象及面积=农户姓名、补贴面积及补贴金额|补贴资金:补贴资金发放结果=发放时间、发放方式及发放金额"),
    "义务教育": ("《中华人民共和国义务教育法》", "招生入学:招生入学政策及划片范围=招生计划、划片范围及报名流程|学生资助:家庭经济困难学生资助=资助政策、申请程序及资助名单|学校信息:学校基本信息=学校名称、地址、办学规模及联系方式"),
    "医疗卫生": ("《中华人民共和国基本医疗卫生与健康促进法》", "医疗服务:医疗机构执业信息=机构名称、地址、诊疗科目及执业状态|公共卫生:基本公共卫生服务项目=服务项目、服务对象及服务内容|卫生监督:卫生监督检查结果=检查对象、检查结果及处理情况"),
}
TIME_LIMITS = ["信息形成或者变更之日起20个工作日内", "信息形成之日起7个工作日内", "实时公开", "长期公开",
               "作出决定之日起7个工作日内"]
CHANNELS = ["政府网站、政务新媒体", "政府网站、公开栏", "政府网站、政务新媒体、便民服务站", "政务服务中心、政府网站",
            "政府网站、公示栏、入户"]
_HEAD_TOP = ["序号", "公开事项", "", "公开内容（要素）", "公开依据", "公开时限", "公开主体", "公开渠道和载体",
             "公开对象", "", "公开方式", "", "公开层级", ""]
_HEAD_SUB = ["", "一级事项", "二级事项", "", "", "", "", "", "全社会", "特定群众", "主动", "依申请", "县级", "乡级"]
_CREATED = dt.datetime(2020, 1, 1, 9, 0)


def demo_items(domain: str, unit: str, lead: str, rng: random.Random) -> list[dict]:
    """Complete items of one domain for one unit."""
    basis, spec = DEMO_ITEMS[domain]
    rows = []
    for block in spec.split("|"):
        l1, rest = block.split(":", 1)
        for part in rest.split(";"):
            l2, content = part.split("=", 1)
            specific = "名单" in l2 or "分户" in l2 or "对象" in l2
            rows.append({"l1": l1, "l2": l2, "content": content,
                         "basis": f"{basis}、《中华人民共和国政府信息公开条例》",
                         "time": rng.choice(TIME_LIMITS), "subject": unit + lead.removeprefix("市"),
                         "channel": rng.choice(CHANNELS), "all": not specific, "specific": specific,
                         "active": True, "request": rng.random() < 0.2,
                         "county": True, "town": rng.random() < 0.6})
    return rows


def _write(path: Path, unit_name: str, sheets: list[tuple[str, str, list[dict]]]) -> None:
    """One workbook; sheets are (sheet name, domain name, items) in the usual two-row layout."""
    import xlsxwriter

    with atomic_path(path) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), {"strings_to_formulas": False, "strings_to_urls": False})
        wb.set_properties({"title": f"{unit_name}基层政务公开标准目录", "author": unit_name,
                           "created": _CREATED})
        title = wb.add_format({"bold": True, "font_size": 16, "align": "center", "valign": "vcenter"})
        head = wb.add_format({"bold": True, "border": 1, "align": "center", "valign": "vcenter",
                              "text_wrap": True, "bg_color": "#F2F2F2"})
        cell = wb.add_format({"border": 1, "text_wrap": True, "valign": "vcenter"})
        tick = wb.add_format({"border": 1, "align": "center", "valign": "vcenter"})
        for sheet_name, domain, items in sheets:
            ws = wb.add_worksheet(sheet_name)
            ws.merge_range(0, 0, 0, 13, f"{unit_name}{domain}领域基层政务公开标准目录", title)
            ws.write_string(1, 0, f"编制单位：{unit_name}人民政府" if unit_name.endswith(("市", "县", "区"))
                            else f"编制单位：{unit_name}")
            for c, (top, sub) in enumerate(zip(_HEAD_TOP, _HEAD_SUB, strict=True)):
                if top and not sub:
                    ws.merge_range(2, c, 3, c, top, head)
                elif top:
                    ws.merge_range(2, c, 2, c + 1, top, head)
                if sub:
                    ws.write_string(3, c, sub, head)
            ws.set_row(2, 24)
            for c, width in enumerate([5, 12, 20, 30, 32, 20, 16, 20, 6, 6, 6, 6, 6, 6]):
                ws.set_column(c, c, width)
            r = 4
            groups: list[tuple[str, int, int]] = []
            for n, it in enumerate(items, start=1):
                ws.write_number(r, 0, n, tick)
                for c, key in enumerate(["l2", "content", "basis", "time", "subject", "channel"], start=2):
                    ws.write_string(r, c, it[key], cell) if it[key] else ws.write_blank(r, c, None, cell)
                for c, key in enumerate(["all", "specific", "active", "request", "county", "town"], start=8):
                    ws.write_string(r, c, "√", tick) if it[key] else ws.write_blank(r, c, None, tick)
                if groups and groups[-1][0] == it["l1"]:
                    groups[-1] = (it["l1"], groups[-1][1], r)
                else:
                    groups.append((it["l1"], r, r))
                r += 1
            for l1, r0, r1 in groups:
                if r1 > r0:
                    ws.merge_range(r0, 1, r1, 1, l1, cell)
                else:
                    ws.write_string(r0, 1, l1, cell)
            ws.freeze_panes(4, 0)
            ws.set_landscape()
            ws.fit_to_pages(1, 0)
        wb.close()


def write_demo_catalogues(quarter_dir: str | Path, reference: Reference, quarter, seed: int = 2020
                          ) -> pd.DataFrame:
    """Write demo catalogues into `quarter_dir/目录/`; returns what was written (unit_id,
    domain_id, file, sheet, items), e.g. to make the demo returns' 事项数量 agree."""
    q = parse_quarter(quarter)
    rng = random.Random(f"{seed}-{q}")
    folder = Path(quarter_dir) / CATALOGUE_DIR
    folder.mkdir(parents=True, exist_ok=True)
    domains = reference.domains
    lead = reference.units.set_index("unit_id")["short_name"]
    short = reference.unit_name
    written: list[dict] = []

    def items_for(unit_id: str, domain_id: int) -> list[dict]:
        d = domains.set_index("domain_id").loc[domain_id]
        return demo_items(d["name"], short(unit_id), lead[d["lead_unit_id"]], rng)

    # 灵宝市: all 26 in one workbook, one sheet per domain; one vague basis.
    sheets = []
    for d in domains.itertuples():
        items = items_for("lingbao", d.domain_id)
        if d.name == "扶贫":
            items[1]["basis"] = "上级有关要求"
        sheets.append((f"{d.domain_id}.{d.name}", d.name, items))
    name = f"{short('lingbao')}基层政务公开标准目录.xlsx"
    _write(folder / name, short("lingbao"), sheets)
    written += [{"unit_id": "lingbao", "domain_id": int(s[0].split(".")[0]), "file": name,
                 "sheet": s[0], "items": len(s[2])} for s in sheets]

    # 陕州区: three complete domains, sheets named 「…领域」.
    sheets = [(f"{n}领域", n, items_for("shanzhou", int(i)))
              for i, n in domains.set_index("domain_id")["name"].loc[[1, 18, 25]].items()]
    name = f"{short('shanzhou')}标准目录（第一批）.xlsx"
    _write(folder / name, short("shanzhou"), sheets)
    ids = dict(zip(domains["name"], domains["domain_id"], strict=True))
    written += [{"unit_id": "shanzhou", "domain_id": int(ids[s[1]]), "file": name, "sheet": s[0],
                 "items": len(s[2])} for s in sheets]

    # 湖滨区: one workbook per domain, with faults.
    hb = short("hubin")
    faults = {
        "城乡规划": lambda it: it[1].update(basis=""),                        # 依据 missing
        "社会救助": lambda it: it[2].update(time="尽快"),                     # 时限 implausible
        "财政预决算": lambda it: it[0].update(active=False, request=False),  # 方式 not ticked
        "义务教育": lambda it: it.append(dict(it[0])),                        # duplicate item
        "救灾": lambda it: it.clear(),                                        # empty domain
    }
    for domain, fault in faults.items():
        items = items_for("hubin", ids[domain])
        fault(items)
        name = f"{hb}{domain}领域标准目录.xlsx"
        _write(folder / name, hb, [("Sheet1", domain, items)])
        written.append({"unit_id": "hubin", "domain_id": int(ids[domain]), "file": name, "sheet": "Sheet1",
                        "items": len(items)})
    return pd.DataFrame(written, columns=["unit_id", "domain_id", "file", "sheet", "items"])
