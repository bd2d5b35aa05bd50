# zwgk — 常用命令。`make help` 列出全部目标。
PY      ?= python3.11
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
APT_PKGS := libreoffice-writer-nogui libreoffice-calc-nogui fonts-noto-cjk poppler-utils

.DEFAULT_GOAL := help
.PHONY: help install sysdeps demo notebook test lint bench docs clean

help: ## 列出全部目标
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@command -v $(PY) >/dev/null 2>&1 || { echo "需要 Python 3.11（$(PY)）"; exit 1; }
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP) ## 建立 .venv 并安装本项目及开发依赖

sysdeps: ## 安装测试所需的系统软件包（LibreOffice、中文字体、pdftotext；需 root 与 apt-get）
	@if command -v soffice >/dev/null 2>&1 && command -v pdftotext >/dev/null 2>&1 && fc-list 2>/dev/null | grep -qi 'Noto Sans CJK'; then \
		echo "系统依赖已就绪"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(APT_PKGS) >/dev/null; \
	else \
		echo "提示：未安装 $(APT_PKGS)，相关的 LibreOffice 测试将跳过"; \
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

docs: $(STAMP) ## 由代码重新生成 docs/问题代码.md
	$(BIN)/python -m tools.docs

clean: ## 删除生成的 outputs/ 与演示 inputs/
	rm -rf outputs/* inputs/*
	git checkout -- outputs/README.md inputs/README.md 2>/dev/null || true
