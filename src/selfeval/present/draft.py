"""The words of a 草稿 (a year lacking what its frame requires), as plain data: the batch's
summary (`selfeval.run.progress`) states them after every build, so they must import without
the report's machinery (the context imports matplotlib and pandas: 0.86 s a no-op build paid).
"""

#: What the 审核底稿 writes where the data gives no figure (the 报送稿 leaves it out).
NOT_GIVEN = "未填报"
#: The mark every page of a 草稿 carries in its header.
DRAFT_MARK = "征求意见稿（数据未齐）"
#: What leads the list of a 草稿's missing items in the 审核底稿.
DRAFT_LEAD = "报送稿尚缺以下内容，补齐后方可报送："

#: What the 审核底稿 and the build summary say of each item a 报送稿 lacks
#: (selfeval.contract.frames.REQUIRED_ITEMS, checked by selfeval.results.missing_items).
MISSING_TEXT = {
    "unit_name": "单位概况未填单位名称",
    "budget": "支出表未填预算数，无法计算预算执行率",
    "actual": "支出表未填一般公共预算执行数",
    "targets": "未填报绩效目标，无法计算自评得分",
    "results": "绩效目标有指标未填实际完成值",
    "conclusion": "自评得分无法计算，报告没有自评结论",
    "problems_measures": "有指标未完成或预算执行率偏低，但未填写存在的问题及改进措施",
    "application": "文字说明未填「结果应用」（自评结果拟应用和公开情况）",
    "data_date": "单位概况未填填报日期，落款没有成文日期",
}
