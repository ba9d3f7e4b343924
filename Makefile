# selfeval — 部门整体支出绩效自评报告生成
# Only Python 3.11+ and make are needed: every target bootstraps .venv itself.
.DEFAULT_GOAL := help
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
YEARS  ?=
UNITS  ?=
SCHEDULER ?=
JOBS   ?=
FORCE  ?=
YEAR   ?=
PORT   ?=
UNIT   ?=
# Test processes of make test (pytest-xdist; a test module stays in one process).
TEST_JOBS ?= 2

BUILD_ARGS := $(if $(YEARS),--years $(YEARS)) $(if $(UNITS),--units $(UNITS)) $(if $(SCHEDULER),--scheduler $(SCHEDULER)) $(if $(JOBS),--jobs $(JOBS)) $(if $(filter 1 yes true,$(FORCE)),--force)

.PHONY: help venv venv-lab venv-dev report pdf check test lint format lab template preview bench screenshots lock clean

help: ## 列出所有目标 / list targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

venv: ## 创建或更新 .venv，只含生成报告所需的依赖（依赖变化时重建）/ create or refresh .venv
	@$(PYTHON) scripts/bootstrap.py $(if $(SCHEDULER),--with cluster)

venv-lab: ## .venv 加上 JupyterLab（make lab 自动运行）/ .venv plus JupyterLab
	@$(PYTHON) scripts/bootstrap.py --with lab

venv-dev: ## .venv 加上测试与检查工具（make test、make check 自动运行）/ .venv plus test tools
	@$(PYTHON) scripts/bootstrap.py --with dev

report: venv ## 生成 data/raw/ 下每个年度的报告 HTML、Word、PDF（YEARS="2023 2024" UNITS="图书馆" JOBS=N FORCE=1 SCHEDULER=tcp://host:8786）/ build reports
	@$(PY) -m selfeval build $(BUILD_ARGS)

pdf: venv ## 把已生成的 report.docx 转换为 report.pdf（需 LibreOffice）/ convert each report.docx to PDF
	@$(PY) -m selfeval pdf

check: lint ## 快速检查（目标 3 分钟内）：ruff、分层检查与不带 slow 标记的单元测试 / lint and fast unit tests
	@$(PY) -m pytest tests/unit -m "not slow"

test: lint ## ruff 与分层检查 + 全部 pytest 测试（含 slow；TEST_JOBS 个进程并行，默认 2）/ lint, layers, and the whole test suite
	@$(PY) -m pytest -n $(TEST_JOBS) --dist loadfile

lint: venv-dev ## ruff 与分层检查（import-linter）/ lint and the layers contract
	@$(PY) -m ruff check .
	@$(PY) -m ruff format --check .
	@$(VENV)/bin/lint-imports --no-cache

format: venv-dev ## 自动格式化 / format code with ruff
	@$(PY) -m ruff check --fix .
	@$(PY) -m ruff format .

lab: venv-lab ## 以项目内核启动 JupyterLab / start JupyterLab on notebooks/
	@$(PY) -m jupyterlab --notebook-dir=notebooks --ContentsManager.pre_save_hook=selfeval.run.lab.strip_for_git $(if $(filter 0,$(shell id -u)),--allow-root)

template: venv ## 生成下一年度填报模板（默认最近一年的下一年，或 YEAR=2025；多单位加 UNIT=图书馆）/ next year's input workbook
	@$(PY) -m selfeval template $(if $(YEAR),--year $(YEAR)) $(if $(UNIT),--unit $(UNIT))

preview: venv ## 预览一个年度的报告，保存数据后自动重新生成并刷新（YEAR=2024 PORT=8000，多单位加 UNIT=图书馆）/ live preview
	@$(PY) -m selfeval preview $(if $(YEAR),--year $(YEAR)) $(if $(UNIT),--unit $(UNIT)) $(if $(PORT),--port $(PORT))

bench: venv-dev ## 性能基准（20 个合成年度）/ benchmarks on synthetic years
	@$(PY) -m tools.bench

screenshots: venv-dev ## 用无头 Chromium 截取每份报告首屏 / screenshot each report
	@$(PY) -m tools.browser

lock: venv ## 重新锁定依赖版本（KEEP=1 只重新划分）/ re-pin requirements*.txt and environment.yml
	@$(PY) scripts/lock.py $(if $(filter 1 yes true,$(KEEP)),--keep)

clean: ## 删除构建产物（保留 .venv）/ remove build products
	@find data/processed outputs -mindepth 1 ! -name .gitkeep -exec rm -rf {} +
