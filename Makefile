# zwgk — 常用命令。`make help` 列出全部目标。
PY      ?= python3.11
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
# package:check — each system package the tests use, and the command that shows it is there
SYSDEPS := \
	libreoffice-writer-nogui:"command -v soffice" \
	libreoffice-calc-nogui:"test -n \"$$(ls /usr/lib/libreoffice/program/libsclo.so 2>/dev/null)\"" \
	poppler-utils:"command -v pdftotext && command -v pdftoppm" \
	fonts-noto-cjk:"fc-list | grep -q 'Noto Serif CJK SC' && fc-list | grep -q 'Noto Sans CJK SC'" \
	fonts-liberation2:"fc-list | grep -q 'Liberation Serif'"

.DEFAULT_GOAL := help
.PHONY: help install sysdeps demo notebook test lint bench docs docs-images template same-tables clean

help: ## 列出全部目标
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@command -v $(PY) >/dev/null 2>&1 || { echo "需要 Python 3.11（$(PY)）"; exit 1; }
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP) ## 建立 .venv 并安装本项目及开发依赖

sysdeps: ## 安装测试所需的系统软件包（LibreOffice、中文与西文字体、poppler；需 root 与 apt-get），逐个检查
	@missing=""; \
	for dep in $(SYSDEPS); do \
		pkg=$${dep%%:*}; check=$${dep#*:}; \
		if sh -c "$$check" >/dev/null 2>&1; then echo "已就绪：$$pkg"; else missing="$$missing $$pkg"; fi; \
	done; \
	if [ -z "$$missing" ]; then \
		echo "系统依赖已就绪"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "安装：$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	else \
		echo "提示：未安装$$missing，相关的 LibreOffice 测试将跳过"; \
	fi

demo: $(STAMP) ## 用内置演示数据跑通全流程（写入 inputs/ 与 outputs/）
	$(BIN)/zwgk demo

$(VENV)/.notebook: $(STAMP)
	$(BIN)/pip install -q -e '.[dev,notebook]'
	@touch $@

notebook: $(VENV)/.notebook ## 安装 JupyterLab 并打开分析示例笔记本（先运行 make demo；在浏览器中打开终端显示的网址，Ctrl-C 退出）
	@test -d outputs/2021Q1/data || echo "提示：尚无演示数据，请先运行 make demo"
	$(BIN)/jupyter lab $$([ "$$(id -u)" = 0 ] && echo --allow-root) notebooks/分析示例.ipynb

test: $(STAMP) sysdeps ## 安装依赖并运行全部测试
	$(BIN)/python -m pytest

lint: $(STAMP) ## 代码检查（ruff）
	$(BIN)/ruff check pipeline tests tools

bench: $(STAMP) ## 性能基准（结果写入 outputs/bench/）
	$(BIN)/python -m tools.bench

same-tables: $(STAMP) ## 比较某一版本（REV=…，默认 HEAD）与工作区的演示数据表是否一致
	$(BIN)/python -m tools.compare_tables --rev $(or $(REV),HEAD)

docs: $(STAMP) ## 由代码重新生成 docs/问题代码.md
	$(BIN)/python -m tools.docs

template: $(STAMP) ## 由代码重新生成通报的 Word 模板 pipeline/assets/bulletin_template.docx
	$(BIN)/python -m tools.assets.build_bulletin_template

docs-images: $(STAMP) sysdeps ## 由演示数据重新生成 README 中的通报首页和排名图（docs/images/）
	$(BIN)/python -m tools.docs_images

clean: ## 删除生成的 outputs/ 与演示 inputs/
	rm -rf outputs/* inputs/*
	git checkout -- outputs/README.md inputs/README.md 2>/dev/null || true
