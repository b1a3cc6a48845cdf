"""Every word landport shows a planner, in English and in Simplified Chinese: one place.

A text has a dotted *key* — ``report.kpis``, ``column.mean``, ``unit.h``, ``place.qinzhou``,
``axis.teu_per_day`` — and :func:`label` gives it in a language::

    >>> label("report.kpis", "zh")
    '关键绩效指标'
    >>> label("report.compare_title", "en", hub="Huaihua", a="baseline", b="what-if")
    'Huaihua — comparison: what-if against baseline'

English (``en``) is the default; ``zh`` is Simplified Chinese, with places named as the port
writes them (怀化国际陆港, 钦州港, 磨憨, 凭祥). Texts may hold ``{fields}``, filled from the
keyword arguments of :func:`label`.

Where each kind of word lives:

* the words on figures: :data:`PHRASES`, by their English wording (``say("TEU per
  {period}", period=…)`` in the plotting code, as gettext does);
* report headings, table columns, units, axis titles, themes, places, directions, statistics,
  backlog states, sweep levers and notes: :data:`TEXTS` below, by key prefix
  (``report.``, ``column.``, ``unit.``, ``axis.``, ``theme.``, ``place.``, ``direction.``,
  ``stat.``, ``state.``, ``count.``, ``lever.``, ``note.``, ``fact.``, ``figure.``), the
  sentences of a report's executive summary (``finding.``) and the Excel workbook's own
  words (``excel.``);
* a KPI's own label: its family in the KPI registry (:mod:`sim.results.kpis.families`), which
  fills it with the words above (``{direction}``, ``{stat}`` …);
* a hub resource's label: its kind (:mod:`sim.results.resource_kinds`); a corridor's and a
  place's label: the scenario (``label: Qinzhou port (钦州港)``), with :data:`TEXTS`'
  ``place.<name>`` as the Chinese for a place the scenario names in English only.

Figures are drawn deep inside plotting functions, so the language they are labelled in is
the one in force: :func:`current` (English unless a block runs under ``with
language("zh"):``, as a report in Chinese draws its figures). Tables and reports take
``lang`` as an argument.

To add a text, add one key to :data:`TEXTS` with both languages — or, from another package,
call :func:`add` at import time. A test checks every text has both and that their
``{fields}`` agree.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import string
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Final

from sim.results.resource_kinds import RESOURCE_KINDS
from sim.results.runinfo import Label

LANGS: Final[tuple[str, ...]] = ("en", "zh")
"""The languages landport writes: English (the default) and Simplified Chinese."""
DEFAULT_LANG: Final = "en"
LANGUAGE_NAMES: Final[dict[str, str]] = {"en": "English", "zh": "简体中文 (Simplified Chinese)"}


class UnknownLanguage(ValueError):
    """A language landport does not write."""


def check_lang(lang: str) -> str:
    """``lang`` if landport writes it (``en``, ``zh``), else :class:`UnknownLanguage`."""
    if lang not in LANGS:
        raise UnknownLanguage(f"unknown language {lang!r}; expected one of {', '.join(LANGS)}")
    return lang


_CURRENT: contextvars.ContextVar[str] = contextvars.ContextVar("landport_lang", default="en")


def current() -> str:
    """The language figures are labelled in here (``en`` unless under :func:`language`)."""
    return _CURRENT.get()


@contextmanager
def language(lang: str) -> Iterator[str]:
    """Label figures (and anything else that asks :func:`current`) in ``lang`` while the
    block runs."""
    token = _CURRENT.set(check_lang(lang))
    try:
        yield lang
    finally:
        _CURRENT.reset(token)


_DATE_FORMS: Final = {
    "month": ("%b", "{m}月"),
    "month_year": ("%b\n%Y", "{m}月\n{y}年"),
    "day": ("%d %b", "{m}月{d}日"),
    "weekday_day": ("%a\n%d %b", "周{w}\n{m}月{d}日"),
}
"""Dates on figures: English by ``strftime`` (``Mar``, ``06 Mar``), Chinese as the port writes
them (``3月``, ``3月6日``, ``周一``) whatever the machine's locale."""


def date_text(day: dt.date, form: str) -> str:
    """``day`` as a tick label of ``form`` (``month``, ``month_year``, ``day``,
    ``weekday_day``) in the current language (:func:`current`)."""
    en, zh = _DATE_FORMS[form]
    if current() == "zh":
        return zh.format(y=day.year, m=day.month, d=day.day, w="一二三四五六日"[day.weekday()])
    return day.strftime(en)


def _l(en: str, zh: str) -> Label:
    return Label(en=en, zh=zh)


TEXTS: dict[str, Label] = {
    # ------------------------------------------------------------- a run's health
    "health.unstable": _l(
        "UNSTABLE: queues grow without bound at {where}; times in this run grow with its "
        "length and are lower bounds, not steady-state values",
        "不稳定：{where} 的排队无限增长；本次运行的时间随运行长度增长，只是下限，不是稳态值",
    ),
    "health.unstable_at": _l("{where} ({share} of replications)", "{where}（{share} 的重复运行）"),
    "health.bottleneck": _l("Bottleneck: {where} ({busy} busy)", "瓶颈：{where}（繁忙 {busy}）"),
    "health.turned_away": _l(
        "Turned away: {share} of the cargo went by the competing route for want of room on "
        "trains or sailings",
        "转走：{share} 的货物因班列或船期无舱位而改走竞争路线",
    ),
    # ------------------------------------------------------------- report headings and text
    "report.run_title": _l("{hub} — run report: {name}", "{hub} — 运行报告：{name}"),
    "report.compare_title": _l(
        "{hub} — comparison: {b} against {a}", "{hub} — 情景对比：{b} 对比 {a}"
    ),
    "report.sweep_title": _l("{hub} — sweep: {name}", "{hub} — 参数扫描：{name}"),
    "report.generated": _l(
        "Generated by landport on {when}. Means over replications with Student-t 95 % "
        "confidence intervals; statistics exclude the warm-up.",
        "由 landport 于 {when} 生成。各指标为多次重复运行的均值及学生t分布95%置信区间；"
        "统计不含预热期。",
    ),
    "report.kpis": _l("Key performance indicators", "关键绩效指标"),
    "report.figures": _l("Figures", "图表"),
    "report.all_rows": _l("All {n} rows", "全部 {n} 行"),
    "report.scenario": _l("Scenario as resolved", "解析后的情景"),
    "report.scenario_a": _l("Scenario A as resolved: {name}", "情景A（解析后）：{name}"),
    "report.scenario_b": _l("Scenario B as resolved: {name}", "情景B（解析后）：{name}"),
    "report.manifest": _l("Manifest", "运行清单"),
    "report.run_intro": _l(
        "Published 2023 figures: {source}; train counts are shown only for a run over that "
        "period. ✓ / ✗: within / outside the calibration tolerance.",
        "2023年公布数据：{source}；仅当运行期与之相同时才显示开行列数。"
        "✓ / ✗：在校准容差之内 / 之外。",
    ),
    "report.compare_intro": _l(
        "B − A is the mean of the paired differences over replications, with its Student-t "
        "95 % interval; significant when the interval excludes 0. Differences of shares are "
        "in percentage points (pp). The last column says how much narrower that interval is "
        "than with independent seeds.",
        "B − A 为各次重复运行配对差值的均值及其学生t分布95%区间；区间不含0即为显著。"
        "占比的差值以百分点（pp）表示。最后一列为配对（共同随机数）比独立种子使区间缩窄的幅度。",
    ),
    "report.sweep_intro": _l(
        "Mean ± Student-t 95 % half-width over replications at every point; all points share "
        "their seeds (common random numbers), so differences between points are sharper than "
        "the intervals suggest.",
        "各点为多次重复运行的均值 ± 学生t分布95%半宽；所有点共用随机种子（共同随机数），"
        "因此点与点之间的差异比区间显示的更为确定。",
    ),
    "report.font_missing": _l(
        "No font with Chinese glyphs was found, so the figures' Chinese text may show as "
        "boxes; install one (Debian: apt-get install fonts-noto-cjk).",
        "未找到含中文字形的字体，图中中文可能显示为方框；请安装（Debian：apt-get install "
        "fonts-noto-cjk）。",
    ),
    "report.summary": _l("Executive summary", "摘要"),
    "report.changes": _l("What B changes", "B 的改动"),
    "report.themes": _l("Headline KPIs by theme", "按主题分列的主要指标"),
    "report.changes_intro": _l(
        "The fields of the scenario that B ({b}) sets differently from A ({a}), as resolved; "
        "everything else is the same in both.",
        "B（{b}）与A（{a}）设置不同的情景字段（解析后）；其余字段两者相同。",
    ),
    "report.changes_none": _l(
        "A and B set every field of the scenario alike (as resolved).",
        "A与B的全部情景字段设置相同（解析后）。",
    ),
    # ------------------------------------------------------------- findings (executive summary)
    "finding.throughput": _l(
        "Throughput: {teu} TEU (± {teu_hw}) went through {hub} by train from {start} to {end}",
        "吞吐量：{start} 至 {end}，经{hub}铁路运输 {teu} TEU（± {teu_hw}）",
    ),
    "finding.trains": _l(
        ", on {trains} trains (± {trains_hw})", "，开行 {trains} 列（± {trains_hw}）"
    ),
    "finding.clearance": _l(
        "Import customs clearance took {mean} h on average (± {hw})",
        "进口通关平均耗时 {mean} 小时（± {hw}）",
    ),
    "finding.clearance_p90": _l(
        "; one container in ten waited more than {p90} h", "；十分之一的集装箱等待超过 {p90} 小时"
    ),
    "finding.bottleneck": _l(
        "Capacity: the bottleneck is {resource}, {util} busy (± {hw}); more of it is what "
        "would let more cargo through",
        "能力：瓶颈为{resource}，利用率 {util}（± {hw}）；增加该资源才能通过更多货物",
    ),
    "finding.no_bottleneck": _l(
        "Capacity: no hub resource is near saturation ({saturated} busy); the busiest is "
        "{resource} at {util} (± {hw})",
        "能力：枢纽资源均未接近饱和（利用率 {saturated}）；最繁忙的是{resource}，"
        "利用率 {util}（± {hw}）",
    ),
    "finding.steady": _l(
        "Stability: no queue or backlog grows through the run, so its times are steady-state "
        "values",
        "稳定性：运行期间没有排队或积压持续增长，因此各项时间为稳态值",
    ),
    "finding.money": _l(
        "Money: the operating subsidy cost {subsidy} (± {hw})",
        "费用：运营补贴支出 {subsidy}（± {hw}）",
    ),
    "finding.discount": _l(
        " and the freight-rate discounts {discount} (± {discount_hw})",
        "，运价优惠 {discount}（± {discount_hw}）",
    ),
    "finding.changed": _l(
        "{k} of {m} headline KPIs changed significantly (their 95 % interval of B − A excludes "
        "0), with {n} paired replications",
        "{m} 项主要指标中有 {k} 项显著变化（B − A 的95%区间不含0），配对重复运行 {n} 次",
    ),
    "finding.unchanged": _l(
        "No headline KPI changed significantly: every 95 % interval of B − A includes 0 (with "
        "{n} paired replications; more replications narrow the intervals)",
        "主要指标均无显著变化：B − A 的95%区间均含0（配对重复运行 {n} 次；增加重复次数可缩窄区间）",
    ),
    "finding.change": _l(
        "{label}: {a} → {b} ({diff}, 95 % CI {low} to {high})",
        "{label}：{a} → {b}（{diff}，95%置信区间 {low} 至 {high}）",
    ),
    "finding.bottleneck_moves": _l(
        "The bottleneck moves from {a} in A to {b} in B", "瓶颈由A中的{a}转移到B中的{b}"
    ),
    "finding.bottleneck_none": _l("none", "无"),
    "finding.sweep_range": _l(
        "{label}: from {low} at point {low_point} ({low_levers}) to {high} at point "
        "{high_point} ({high_levers})",
        "{label}：从点 {low_point}（{low_levers}）的 {low} 到点 {high_point}（{high_levers}）"
        "的 {high}",
    ),
    "finding.sweep_flat": _l("{label}: {value} at every point", "{label}：各点均为 {value}"),
    "finding.sweep_unstable": _l(
        "{k} of {m} points are unstable (queues grow without bound): {points}",
        "{m} 个点中有 {k} 个不稳定（排队无限增长）：{points}",
    ),
    "finding.sweep_steady": _l(
        "Every point reaches a steady state: no queue or backlog grows through its runs",
        "各点均达到稳态：运行期间没有排队或积压持续增长",
    ),
    # ------------------------------------------------------------- figure captions
    "caption.clearance": _l(
        "Customs clearance time distribution, import and export, against the published 2023 means.",
        "进口与出口通关时间分布，及2023年公布的平均值。",
    ),
    "caption.throughput": _l(
        "TEU and trains per month by corridor, export and import.",
        "各通道每月TEU与开行列数，出口与进口。",
    ),
    "caption.resources": _l(
        "Queue length and utilisation over time of customs, consolidation, yard, sidings and "
        "handling; warm-up shaded.",
        "海关、拼箱、堆场、装卸线与装卸设备的排队长度和利用率随时间的变化；阴影为预热期。",
    ),
    "caption.load-factors": _l(
        "Train load factors per corridor and direction.", "各通道、各方向的列车装载率。"
    ),
    "caption.sidings": _l(
        "Sidings and trains in the busiest week (Gantt).", "最繁忙一周的装卸线与列车（甘特图）。"
    ),
    "caption.dwell": _l(
        "Where a container's time at the hub goes, per corridor and direction.",
        "集装箱在枢纽停留时间的构成，按通道和方向。",
    ),
    "caption.costs": _l(
        "Door-to-door cost and CO₂e per TEU by corridor, by rail (in parts, the subsidy left "
        "of zero) and by the competing route, with the public money per TEU.",
        "各通道每TEU门到门费用与CO₂e排放：铁路（分项，补贴在零的左侧）与竞争路线对比，"
        "及每TEU的公共资金。",
    ),
    "caption.forest": _l(
        "Each KPI's difference B − A with its 95 % confidence interval (paired replications, "
        "common random numbers): as a percentage of A, shares in percentage points.",
        "各指标的差值 B − A 及其95%置信区间（配对重复运行，共同随机数）：以A的百分比表示，"
        "占比类以百分点表示。",
    ),
    "caption.response": _l(
        "Key KPIs against {lever}, mean and 95 % CI at every point.",
        "主要指标随{lever}的变化：各点的均值及95%置信区间。",
    ),
    # ------------------------------------------------------------- facts
    "fact.scenario": _l("Scenario", "情景"),
    "fact.period": _l("Period", "时段"),
    "fact.period_text": _l(
        "{start} to {end} (warm-up of {warmup} days before, not in the statistics)",
        "{start} 至 {end}（此前 {warmup} 天为预热期，不计入统计）",
    ),
    "fact.replications": _l("Replications", "重复运行次数"),
    "fact.paired": _l(
        "{n}, paired: replication r of A and of B share their seeds",
        "{n}，配对：A与B的第r次重复运行使用相同的随机种子",
    ),
    "fact.seed": _l("Seed", "随机种子"),
    "fact.scenario_hash": _l("Scenario hash", "情景哈希"),
    "fact.scenario_file": _l("Scenario file", "情景文件"),
    "fact.overrides": _l("Overrides", "覆盖设置"),
    "fact.none": _l("none", "无"),
    "fact.levers": _l("Levers", "参数"),
    "fact.points": _l("Points", "点数"),
    "fact.git_commit": _l("Git commit", "Git 提交"),
    "fact.created": _l("Created", "创建时间"),
    "fact.wall_time": _l("Wall time", "运行耗时"),
    "fact.events": _l("{n} events", "{n} 个事件"),
    "fact.folder": _l("Folder", "文件夹"),
    "fact.run_folder": _l("Run folder", "运行文件夹"),
    # ------------------------------------------------------------- table columns
    "column.kpi": _l("KPI", "指标"),
    "column.name": _l("name", "名称"),
    "column.unit": _l("unit", "单位"),
    "column.mean": _l("mean", "均值"),
    "column.half_width": _l("± 95 % CI", "± 95%置信区间"),
    "column.interval": _l("95 % CI", "95%置信区间"),
    "column.n": _l("n", "n"),
    "column.published": _l("published 2023", "2023年公布值"),
    "column.published_short": _l("2023 published", "2023年公布值"),
    "column.vs_published": _l("vs published", "与公布值之差"),
    "column.a_mean": _l("A: mean ± 95 % CI", "A：均值 ± 95%置信区间"),
    "column.b_mean": _l("B: mean ± 95 % CI", "B：均值 ± 95%置信区间"),
    "column.diff": _l("B − A", "B − A"),
    "column.diff_interval": _l("95 % CI of B − A", "B − A 的95%置信区间"),
    "column.significant": _l("significant", "是否显著"),
    "column.signif": _l("signif.", "显著"),
    "column.narrowing": _l("CI narrowed by pairing", "配对使区间缩窄"),
    "column.narrowing_short": _l("CI narrowing", "区间缩窄"),
    "column.point": _l("point", "点"),
    "column.field": _l("field", "字段"),
    "word.the_hub": _l("the hub", "枢纽"),
    "word.yes": _l("yes", "是"),
    "word.no": _l("no", "否"),
    # ------------------------------------------------------------- units (as a column shows them)
    "unit.share": _l("share", "占比"),
    "unit.M CNY": _l("M CNY", "百万元"),
    "unit.CNY": _l("CNY", "元"),
    "unit.trains": _l("trains", "列"),
    "unit.sailings": _l("sailings", "航次"),
    "unit.TEU": _l("TEU", "TEU"),
    "unit.containers": _l("containers", "箱"),
    "unit.TEU/train": _l("TEU/train", "TEU/列"),
    "unit.h": _l("h", "小时"),
    "unit.items": _l("items", "件"),
    "unit.items/day": _l("items/day", "件/天"),
    "unit.flag": _l("flag", "标志"),
    "unit.CNY/TEU": _l("CNY/TEU", "元/TEU"),
    "unit.kg/TEU": _l("kg/TEU", "千克/TEU"),
    "unit.kg CO₂e/TEU": _l("kg CO₂e/TEU", "千克CO₂e/TEU"),
    "unit.t CO₂e": _l("t CO₂e", "吨CO₂e"),
    "unit.CNY/t": _l("CNY/t", "元/吨"),
    "unit.CNY/t CO₂e": _l("CNY/t CO₂e", "元/吨CO₂e"),
    "unit.million CNY": _l("million CNY", "百万元"),
    "unit.%": _l("%", "%"),
    "unit.pp": _l("pp", "百分点"),
    # ------------------------------------------------------------- axis titles
    "axis.teu_per_day": _l("TEU per day", "TEU/天"),
    "axis.teu_per_week": _l("TEU per week", "TEU/周"),
    "axis.teu": _l("TEU", "TEU"),
    "axis.hours": _l("hours", "小时"),
    "axis.share_of_containers": _l("share of containers", "集装箱占比"),
    "axis.utilisation": _l("utilisation", "利用率"),
    "axis.date": _l("date", "日期"),
    "axis.month": _l("month", "月份"),
    "axis.trains": _l("trains", "列数"),
    "figure.export_title": _l("Export ({hub} → {asean})", "出口（{hub} → {asean}）"),
    "figure.import_title": _l("Import ({asean} → {hub})", "进口（{asean} → {hub}）"),
    "axis.diff_pct_of_a": _l("difference B − A, as % of A's mean", "差值 B − A（占A均值的%）"),
    "axis.diff_pct_of_a_pp": _l(
        "difference B − A: % of A's mean; shares in percentage points (pp)",
        "差值 B − A：占A均值的%；占比类为百分点（pp）",
    ),
    "axis.diff_in": _l("difference B − A ({unit})", "差值 B − A（{unit}）"),
    # ------------------------------------------------------------- themes of KPIs
    "theme.throughput": _l("Throughput", "吞吐量"),
    "theme.time": _l("Time", "时间"),
    "theme.capacity": _l("Capacity", "能力"),
    "theme.money": _l("Money", "费用"),
    "theme.emissions": _l("Emissions", "排放"),
    "theme.stability": _l("Stability", "稳定性"),
    # ------------------------------------------------------------- placeholders of KPI labels
    "stat.mean": _l("mean", "均值"),
    "stat.p50": _l("median", "中位数"),
    "stat.p90": _l("90th percentile", "第90百分位数"),
    "stat.p95": _l("95th percentile", "第95百分位数"),
    "direction.export": _l("export", "出口"),
    "direction.import": _l("import", "进口"),
    "corridor.all": _l("all corridors", "全部通道"),
    "state.at_gate": _l("at gate", "在卡口"),
    "state.consolidating": _l("consolidating", "拼箱中"),
    "state.awaiting_yard": _l("awaiting yard", "待进堆场"),
    "state.in_customs": _l("in customs", "通关中"),
    "state.awaiting_train": _l("awaiting train", "待装车"),
    "state.loading": _l("loading", "装车中"),
    "state.on_train": _l("on train", "在途（铁路）"),
    "state.at_port": _l("at port", "在港"),
    "state.awaiting_sailing": _l("awaiting sailing", "待装船"),
    "state.at_sea": _l("at sea", "在途（海运）"),
    "state.awaiting_departure": _l("awaiting departure", "待发运"),
    "state.awaiting_unloading": _l("awaiting unloading", "待卸车"),
    "state.awaiting_collection": _l("awaiting collection", "待提货"),
    "state.delivered": _l("delivered", "已交付"),
    "state.turned_away": _l("turned away", "已转走"),
    "count.created": _l("created", "已生成"),
    "count.delivered": _l("delivered", "已交付"),
    "count.turned_away": _l("turned away", "已转走"),
    "count.in_system": _l("in system", "仍在系统中"),
    # ------------------------------------------------------------- sweep levers
    "lever.demand.scale": _l("demand (× 2023)", "需求（2023年的倍数）"),
    "lever.terminal.yard.capacity_teu": _l("yard capacity (TEU)", "堆场容量（TEU）"),
    "lever.tariffs.subsidy_per_teu_cny": _l("operating subsidy (CNY/TEU)", "运营补贴（元/TEU）"),
    "lever.tariffs.toll_cut": _l("highway toll cut", "高速公路通行费减免"),
    "lever.discount": _l("{bureau} Railway freight-rate discount", "{bureau}铁路运价优惠"),
    # ------------------------------------------------------------- places, as the port writes them
    "place.huaihua": _l("Huaihua International Land Port", "怀化国际陆港"),
    "place.qinzhou": _l("Qinzhou port", "钦州港"),
    "place.mohan": _l("Mohan / Boten", "磨憨"),
    "place.pingxiang": _l("Pingxiang / Dong Dang", "凭祥"),
    "place.liuzhou": _l("Liuzhou", "柳州"),
    "place.nanning": _l("Nanning", "南宁"),
    "place.guiyang": _l("Guiyang", "贵阳"),
    "place.kunming": _l("Kunming", "昆明"),
    "place.vientiane": _l("Vientiane", "万象"),
    "place.hanoi": _l("Hanoi (Yen Vien)", "河内（安员）"),
    "place.haiphong": _l("Haiphong", "海防"),
    "place.ho_chi_minh": _l("Ho Chi Minh City", "胡志明市"),
    "place.bangkok": _l("Bangkok / Laem Chabang", "曼谷／林查班"),
    "place.singapore": _l("Singapore", "新加坡"),
    "place.port_klang": _l("Port Klang", "巴生港"),
    "place.yangon": _l("Yangon", "仰光"),
    "place.nansha": _l("Guangzhou Nansha", "广州南沙港"),
    "city.huaihua": _l("Huaihua", "怀化"),
    "place.asean": _l("ASEAN", "东盟"),
    # ------------------------------------------------------------- Excel workbook
    "excel.about": _l("About", "说明"),
    "excel.summary": _l("Summary", "汇总"),
    "excel.replications": _l("Replications", "各次重复运行"),
    "excel.comparison": _l("Comparison", "对比"),
    "excel.sweep": _l("Sweep", "参数扫描"),
    "excel.sweep_summary": _l("Sweep summary", "参数扫描汇总"),
    "excel.a": _l("A", "A"),
    "excel.b": _l("B", "B"),
    "excel.item": _l("item", "项目"),
    "excel.value": _l("value", "内容"),
    "excel.theme": _l("theme", "主题"),
    "excel.low": _l("95 % CI low", "95%置信区间下限"),
    "excel.high": _l("95 % CI high", "95%置信区间上限"),
    "excel.replication": _l("replication", "重复运行"),
    "excel.a_mean": _l("A: mean", "A：均值"),
    "excel.a_half_width": _l("A: ± 95 % CI", "A：± 95%置信区间"),
    "excel.b_mean": _l("B: mean", "B：均值"),
    "excel.b_half_width": _l("B: ± 95 % CI", "B：± 95%置信区间"),
    "excel.diff_low": _l("B − A: 95 % CI low", "B − A：95%置信区间下限"),
    "excel.diff_high": _l("B − A: 95 % CI high", "B − A：95%置信区间上限"),
    "excel.note": _l("Note", "注意"),
    "excel.explain": _l(
        "Means over replications with Student-t 95 % confidence intervals; statistics exclude "
        "the warm-up. Cells hold the values as computed (a share as a fraction, money in CNY); "
        "their number format shows them in the unit of the header or unit column.",
        "各指标为多次重复运行的均值及学生t分布95%置信区间；统计不含预热期。单元格保存计算所得的"
        "原值（占比为小数，金额以元计）；其数字格式按表头或单位列的单位显示。",
    ),
    # ------------------------------------------------------------- recovery from disruptions
    "recovery.heading": _l("Recovery from disruptions", "中断后的恢复"),
    "recovery.cli_title": _l(
        "Recovery of B from its disruptions, against A as undisrupted",
        "B 从中断中的恢复（以未中断的A为基准）",
    ),
    "recovery.cli_note": _l(
        "Means over paired replications. recovery h: from the disruption's end until the "
        "backlog is back within the band of A's and stays there; recovered: share of "
        "replications that did by the end (if not, the hours run to the end). cost: extra "
        "storage, demurrage and the margin of cargo turned away.",
        "各值为配对重复运行的均值。恢复小时：从中断结束到积压回到A的区间内并保持不变；"
        "已恢复：到运行结束时已恢复的重复运行占比（未恢复的，小时数计至结束）。"
        "费用：额外堆存费、滞期费及转走货物的利润。",
    ),
    "recovery.intro": _l(
        "Against A as the undisrupted run, pair by pair (common random numbers): TEU whose "
        "delivery was later than in A by more than the tolerance, their mean delay, the "
        "largest extra backlog, the hours from the disruption's end until the backlog is "
        "back within the band of A's and stays there (recovered: share of replications that "
        "did by the end), trains and sailings held or cancelled, extra TEU turned away, and "
        "the cost: extra yard storage, demurrage and the margin of cargo turned away. "
        "Means over replications.",
        "以未中断的A为基准，逐对比较（共同随机数）：交付比A晚且超过容差的TEU、其平均延误、"
        "最大额外积压、从中断结束到积压回到A的区间内并保持不变的小时数（已恢复：到运行结束时"
        "已恢复的重复运行占比）、被扣留或取消的列车与船期、额外转走的TEU，以及费用：额外堆场"
        "堆存费、滞期费及转走货物的利润。各值为多次重复运行的均值。",
    ),
    "recovery.disruption": _l("disruption", "中断"),
    "recovery.corridor": _l("corridor", "通道"),
    "recovery.teu_delayed": _l("TEU delayed", "延误TEU"),
    "recovery.h_per_delayed": _l("h per delayed TEU", "每延误TEU小时数"),
    "recovery.peak_backlog": _l("peak backlog TEU", "积压峰值TEU"),
    "recovery.peak_extra_backlog": _l("peak extra backlog (TEU)", "额外积压峰值（TEU）"),
    "recovery.recovery_h": _l("recovery h ± CI", "恢复小时 ± 置信区间"),
    "recovery.time_to_recover": _l(
        "time to recover (h) ± 95 % CI", "恢复时间（小时）± 95%置信区间"
    ),
    "recovery.recovered": _l("recovered", "已恢复"),
    "recovery.trains": _l("trains held / cancelled", "扣留 / 取消列车"),
    "recovery.sailings": _l("sailings cancelled", "取消船期"),
    "recovery.turned_away": _l("turned away TEU", "转走TEU"),
    "recovery.extra_turned_away": _l("extra TEU turned away", "额外转走TEU"),
    "recovery.cost": _l("cost M CNY", "费用（百万元）"),
    "recovery.cost_paren": _l("cost (M CNY)", "费用（百万元）"),
    "caption.disruption-timeline": _l(
        "Backlog, TEU in the hub's yard and TEU delivered per day: B (disrupted) against A "
        "(undisrupted), paired, with 95 % bands; B's disruption windows shaded.",
        "积压、枢纽堆场内TEU与每日交付TEU：B（中断）对比A（未中断），配对，带95%区间；"
        "阴影为B的中断时段。",
    ),
    "caption.recovery-time": _l(
        "Time to recover after each disruption ends (all corridors), with its 95 % interval "
        "over paired replications.",
        "每次中断结束后的恢复时间（全部通道），及其配对重复运行的95%区间。",
    ),
    # ------------------------------------------------------------- decision analysis
    "decision.method.oat": _l(
        "One at a time: every factor at the scenario's value, then each alone at the low and "
        "the high end of its range; factors ranked by the KPI's swing between the two ends "
        "(± its 95 % interval over the paired replications).",
        "逐一变化法：所有因素取情景值，再让每个因素单独取其范围的下端与上端；按指标在两端之间"
        "的摆幅对因素排序（± 配对重复运行的95%区间）。",
    ),
    "decision.method.morris": _l(
        "Morris screening (SALib): elementary effects along random one-step trajectories; "
        "factors ranked by μ*, the mean absolute effect (± its bootstrap 95 % interval); "
        "σ large beside μ* means non-linear effects or interactions.",
        "Morris 筛选法（SALib）：沿随机单步轨迹计算基本效应；按平均绝对效应 μ* 对因素排序"
        "（± 其自助法95%区间）；σ 相对 μ* 较大表示非线性效应或交互作用。",
    ),
    "decision.method.sobol": _l(
        "Sobol indices (SALib, Saltelli sampling): S1 is the share of the KPI's variance a "
        "factor explains alone, ST with its interactions (± bootstrap 95 % intervals); "
        "factors ranked by ST.",
        "Sobol 指数（SALib，Saltelli 抽样）：S1 为某因素单独解释的指标方差占比，ST 含其交互"
        "作用（± 自助法95%区间）；按 ST 对因素排序。",
    ),
    "decision.sensitivity_title": _l(
        "Sensitivity of the estimates: {scenario}", "估计值的敏感性分析：{scenario}"
    ),
    "decision.optimise_title": _l(
        "Least set-up that meets the target: {scenario}", "满足目标的最小配置：{scenario}"
    ),
    "decision.optimise_intro": _l(
        "Each set-up tried, cheapest first, at its last round: the KPI's mean and 95 % "
        "interval over its replications and the verdict (meets, fails, undecided).",
        "所试的每种配置（按费用从低到高）在其最后一轮的结果：指标在各次重复运行中的均值与95%"
        "区间，以及结论（满足、不满足、未定）。",
    ),
    "decision.most_sensitive": _l(
        "{kpi}: most sensitive to {factor} (importance {value} ± {conf})",
        "{kpi}：对{factor}最敏感（重要性 {value} ± {conf}）",
    ),
    "decision.then": _l(
        ", then {factor} ({value} ± {conf})", "，其次为{factor}（{value} ± {conf}）"
    ),
    "decision.end": _l(".", "。"),
    "decision.factor_range": _l(
        "{path} in [{low}, {high}] (scenario: {base})",
        "{path} 取 [{low}, {high}]（情景值：{base}）",
    ),
    "decision.lever_range": _l("{path} from {low} to {high}", "{path} 从 {low} 到 {high}"),
    "decision.and": _l(" and ", "且"),
    "decision.sensitivity_seed": _l(
        "{seed} (every point: common random numbers); design seed {design}",
        "{seed}（各点：共同随机数）；设计种子 {design}",
    ),
    "decision.optimise_seed": _l(
        "{seed} (every set-up: common random numbers)", "{seed}（各配置：共同随机数）"
    ),
    "decision.rule_text": _l(
        "a target is met when the whole Student-t 95 % interval of the KPI's mean is on its "
        "side; replications from {initial}, doubled near the boundary, up to {most}",
        "当指标均值的学生t分布95%区间整体位于目标一侧时即满足目标；重复运行次数从 {initial} "
        "起，接近边界时加倍，最多 {most}",
    ),
    "decision.cli_title": _l(
        "{name}: {method}, {points} points × {reps} replications, seed {seed} — {wall} s",
        "{name}：{method}，{points} 个点 × {reps} 次重复运行，随机种子 {seed} — 耗时 {wall} 秒",
    ),
    "decision.cli_note": _l(
        "importance: the KPI's swing between the factor's ends (oat), μ* (morris) or ST "
        "(sobol); ± its 95 % interval. sensitivity.csv has every measure.",
        "重要性：指标在因素两端之间的摆幅（oat）、μ*（morris）或 ST（sobol）；± 其95%区间。"
        "sensitivity.csv 含全部度量。",
    ),
    "decision.evidence_title": _l(
        "Set-ups tried, cheapest first (last round)", "所试配置，按费用从低到高（最后一轮）"
    ),
    "column.mean_95": _l("mean ± 95 %", "均值 ± 95%"),
    "fact.method": _l("Method", "方法"),
    "fact.factors": _l("Factors", "因素"),
    "fact.kpis": _l("KPIs", "指标"),
    "fact.replications_a_point": _l("Replications a point", "每点重复运行次数"),
    "fact.minimise": _l("Minimise", "最小化"),
    "fact.over": _l("Over", "范围"),
    "fact.subject_to": _l("Subject to", "约束"),
    "fact.rule": _l("Rule", "规则"),
    "fact.rounds": _l("Rounds", "轮数"),
    "column.rank": _l("rank", "排名"),
    "column.factor": _l("factor", "因素"),
    "column.range": _l("range", "范围"),
    "column.importance": _l("importance", "重要性"),
    "column.plus_minus_95": _l("± 95 %", "± 95%"),
    "column.round": _l("round", "轮次"),
    "column.cost": _l("cost", "费用"),
    "column.replications": _l("replications", "重复运行次数"),
    "column.target": _l("target", "目标"),
    "column.kpi_mean_95": _l("KPI mean ± 95 %", "指标均值 ± 95%"),
    "column.verdict": _l("verdict", "结论"),
    "verdict.meets": _l("meets", "满足"),
    "verdict.fails": _l("fails", "不满足"),
    "verdict.undecided": _l("undecided", "未定"),
    "caption.sensitivity": _l(
        "What moves {kpi}: the factors in rank order.", "影响{kpi}的因素，按重要性排序。"
    ),
    "caption.optimise": _l(
        "Every target's KPI at each set-up tried, against {lever}.",
        "各目标的指标在所试每种配置下的取值，随{lever}变化。",
    ),
    # ------------------------------------------------------------- command line
    "cli.results": _l("Results", "结果"),
    "cli.run_title": _l(
        "{name}: {start} – {end}, {reps} replication(s), seed {seed} — {events} events in {wall} s",
        "{name}：{start} – {end}，{reps} 次重复运行，随机种子 {seed} — {events} 个事件，"
        "耗时 {wall} 秒",
    ),
    "cli.sweep_caption": _l(
        "levers: {levers}; KPI cells: mean ± 95 % CI half-width",
        "参数：{levers}；指标单元格：均值 ± 95%置信区间半宽",
    ),
}
"""Every text by key (see the module docstring)."""


def add(key: str, en: str, zh: str) -> None:
    """Add a text (from another package, at import time); a key already there with other
    words is an error, the same words again are not."""
    new = Label(en=en, zh=zh)
    old = TEXTS.get(key)
    if old is not None and old != new:
        raise ValueError(f"text {key!r} exists with other words: {old.en!r} / {old.zh!r}")
    TEXTS[key] = new


def has(key: str) -> bool:
    """Whether :data:`TEXTS` has ``key``."""
    return key in TEXTS


def label(key: str, lang: str | None = None, /, **fields: object) -> str:
    """The text ``key`` in ``lang`` (``en`` or ``zh``; default: :func:`current`), its
    ``{fields}`` filled from the keyword arguments. An unknown key is a KeyError naming it;
    an unknown language an :class:`UnknownLanguage`."""
    lang = check_lang(lang or current())
    try:
        text = TEXTS[key](lang)
    except KeyError:
        raise KeyError(f"no text {key!r} in sim.results.i18n.TEXTS") from None
    return text.format_map(fields) if fields else text


def text_or(key: str, default: str, lang: str | None = None) -> str:
    """The text ``key`` in ``lang``, or ``default`` when there is none."""
    return label(key, lang) if key in TEXTS else default


def texts(prefix: str) -> dict[str, Label]:
    """The texts whose key starts with ``prefix.``, by the rest of their key
    (``texts("stat")`` → ``{"mean": …, "p50": …}``)."""
    head = prefix + "."
    return {k[len(head) :]: v for k, v in TEXTS.items() if k.startswith(head)}


def fields_of(text: str) -> set[str]:
    """The ``{fields}`` a text fills."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def unit_text(shown: str, lang: str | None = None) -> str:
    """A unit as shown (``M CNY``, ``h``, ``TEU/train``) in ``lang``; one without a text is
    kept as it is."""
    return text_or(f"unit.{shown}", shown, lang)


def place_text(name: str, lang: str | None = None, scenario_label: Label | None = None) -> str:
    """A place's name in ``lang``: the scenario's label when it gives that language (a label
    with Chinese in it), else the port's own name for it (``place.<name>``), else the
    scenario's label or the name."""
    lang = check_lang(lang or current())
    if scenario_label is not None and (lang == "en" or scenario_label.zh != scenario_label.en):
        return scenario_label(lang)
    if f"place.{name}" in TEXTS:
        return label(f"place.{name}", lang)
    return scenario_label(lang) if scenario_label is not None else name


def labels_in(mapping: Mapping[str, Label], lang: str) -> dict[str, str]:
    """A mapping of labels as their texts in ``lang``."""
    check_lang(lang)
    return {k: v(lang) for k, v in mapping.items()}


def lever_text(lever: str, lang: str | None = None) -> str:
    """A planner's name for a sweep lever (a dotted scenario path) in ``lang``: a railway's
    discount, a resource's unit count (its kind's label), a lever of :data:`TEXTS`
    (``lever.<path>``), else the path."""
    lang = check_lang(lang or current())
    parts = lever.split(".")
    if len(parts) == 3 and parts[:2] == ["tariffs", "discount"]:
        bureau = (
            parts[2].capitalize() if lang == "en" else text_or(f"place.{parts[2]}", parts[2], lang)
        )
        return label("lever.discount", lang, bureau=bureau)
    for kind in RESOURCE_KINDS:
        if kind.lever == lever:
            return (kind.lever_label or kind.label)(lang)
    return text_or(f"lever.{lever}", lever, lang)


# ---------------------------------------------------------------------------- words on figures

PHRASES: dict[str, str] = {
    # shared
    "Scenario '{name}', {start} – {end}, {reps} replication(s){seed}.": (
        "情景“{name}”，{start} – {end}，{reps} 次重复运行{seed}。"
    ),
    ", seed {seed}": "，随机种子 {seed}",
    "no {what} in the statistics window": "统计时段内没有{what}",
    "warm-up (not in statistics)": "预热期（不计入统计）",
    "mean": "均值",
    "full": "满载",
    # clearance
    "How long customs clearance takes at {hub}": "{hub}通关耗时",
    "{Direction} declarations (n = {n} containers)": "{Direction}报关（n = {n} 箱）",
    "all declarations": "全部报关单",
    "min": "分钟",
    "document review only": "仅单证审核",
    "physical inspection": "实货查验",
    "quarantine sample": "检疫取样",
    "inspection + quarantine": "查验 + 检疫",
    "simulated mean {value} {unit}": "模拟均值 {value} {unit}",
    "90th percentile {value} {unit}": "第90百分位数 {value} {unit}",
    "published 2023 mean {value} {unit}": "2023年公布均值 {value} {unit}",
    " (off the scale, drawn at the edge)": "（超出刻度，画在边缘）",
    "clearance time, declaration to release ({unit})": "通关时间，从申报到放行（{unit}）",
    "share of containers (%)": "集装箱占比（%）",
    "Containers created after warm-up and released before the end; export in minutes "
    "(published 0.09 h = 5.4 min).": (
        "预热期后生成且在结束前放行的集装箱；出口以分钟计（公布值 0.09 小时 = 5.4 分钟）。"
    ),
    # throughput
    "Throughput at {hub} per {period}, by corridor": "{hub}各通道每{period}吞吐量",
    "month": "月",
    "week": "周",
    "TEU per {period}": "每{period}TEU",
    "trains per {period}": "每{period}列数",
    "no trains": "无列车",
    "month of train departure": "列车发车月份",
    "week of train departure (Mon–Sun)": "列车发车周（周一至周日）",
    "Mean over replications of trains that ran, exports dated by departure from the hub, "
    "imports by the end of their unloading there; imports depart the partner terminal about "
    "a day before reaching {hub}.": (
        "已开行列车在各次重复运行中的均值；出口按自枢纽发车日期计，进口按在枢纽卸车完成日期计；"
        "进口列车约在到达{hub}前一天从对方站发出。"
    ),
    " * Period cut by the start or end of the run (drawn paler).": (
        " * 被运行起止截断的时段（颜色较浅）。"
    ),
    # resources
    "Queues and utilisation of {hub}'s resources over time": "{hub}各资源的排队与利用率随时间变化",
    "resource records": "资源记录",
    "7-day moving average": "7日移动平均",
    "24-hour moving average": "24小时移动平均",
    "mean per {per}": "每{per}均值",
    "day": "天",
    "units": "个",
    "waiting\n({what})": "等待\n（{what}）",
    "{resource} ({capacity}): queue": "{resource}（{capacity}）：排队",
    "nothing ever waited": "从未有排队",
    "in use (%)": "使用中（%）",
    "{resource}: utilisation": "{resource}：利用率",
    "Time-weighted means per {per} over all replications; the grey band is the warm-up. "
    "Utilisation counts only hours when units are available (officers on duty).": (
        "全部重复运行中每{per}的时间加权均值；灰色带为预热期。利用率只计可用时段（关员在岗）。"
    ),
    # trains
    "How full the trains ran": "列车装载情况",
    "trains": "列车",
    "{direction}\n{n} trains": "{direction}\n{n} 列",
    "mean\n{value}": "均值\n{value}",
    "load factor (TEU loaded / train capacity, %)": "装载率（装载TEU / 列车容量，%）",
    "One dot per train that ran after warm-up, all replications; ◇ mean.": (
        "每点为预热期后开行的一列车（全部重复运行）；◇ 为均值。"
    ),
    # dwell
    "Where a container's time at {hub} goes": "集装箱在{hub}的时间去向",
    "share of the mean stay at the hub (%); hours per stage in the bars": (
        "占枢纽平均停留时间的比例（%）；条内为各环节小时数"
    ),
    "mean hours at the hub per container (h)": "每箱在枢纽的平均小时数（小时）",
    # economics
    "What a TEU costs and emits door to door: by rail, and by the competing route": (
        "每TEU门到门的费用与排放：铁路与竞争路线"
    ),
    "boxes delivered by rail": "铁路交付的集装箱",
    "CNY per TEU (door to door; the subsidy left of zero)": "元/TEU（门到门；补贴在零的左侧）",
    "CO₂e (the scenario has no emissions)": "CO₂e（情景未设排放）",
    "competing route": "竞争路线",
    "kg CO₂e per TEU, well-to-wheel": "千克CO₂e/TEU（油井到车轮）",
    # experiments
    "Scenario comparison: {b} (B) against {a} (A)": "情景对比：{b}（B）对比 {a}（A）",
    "Scenario comparison: B against A": "情景对比：B 对比 A",
    "B − A (95 % CI)": "B − A（95%置信区间）",
    "  [A is 0: no %]": "  [A为0：无百分比]",
    "Filled dot: the 95 % CI excludes 0 (significant). ": "实心点：95%置信区间不含0（显著）。",
    "n = {n} paired replications (common random numbers).": (
        "n = {n} 次配对重复运行（共同随机数）。"
    ),
    "Response to the lever: {lever}": "对参数的响应：{lever}",
    "target {value}": "目标 {value}",
    "band: 95 % CI": "带：95%置信区间",
    "value": "数值",
    "Line: mean over replications at each sweep point; band: Student-t 95 % confidence "
    "interval": "线：各扫描点重复运行的均值；带：学生t分布95%置信区间",
    " (n = {n} replications a point).": "（每点 n = {n} 次重复运行）。",
    # disruptions
    "all corridors": "全部通道",
    "{b} against {a}: backlog and throughput, {where}": "{b} 对比 {a}：积压与吞吐量，{where}",
    "TEU in the system": "系统内TEU",
    "TEU in the hub's yard": "枢纽堆场内TEU",
    "TEU delivered per day": "每日交付TEU",
    "{name} (mean)": "{name}（均值）",
    "B − A (paired)": "B − A（配对）",
    "days from {start}": "自 {start} 起的天数",
    "Lines: means over paired replications (common random numbers), bands their 95 % "
    "intervals; dashed: B − A, the paired difference, with its 95 % band (right axis). "
    "Shaded: B's disruption windows.": (
        "线：配对重复运行（共同随机数）的均值，带为其95%区间；虚线：B − A，即配对差值，"
        "及其95%带（右轴）。阴影：B的中断时段。"
    ),
    "hours from the disruption's end until the backlog is back within the band": (
        "从中断结束到积压回到区间内的小时数"
    ),
    "Time to recover, by disruption": "各中断的恢复时间",
    "Means over paired replications with 95 % intervals. Red: some replications had not "
    "recovered by the end of the run (the time then runs to the end: a lower bound).": (
        "配对重复运行的均值及95%区间。红色：部分重复运行到运行结束仍未恢复"
        "（时间计至结束：为下限）。"
    ),
    # decision analysis
    "factor at its low end": "因素取下端",
    "factor at its high end": "因素取上端",
    "KPI, others at the scenario's values (base {base})": "指标，其余取情景值（基准 {base}）",
    "near 0: ": "接近0：",
    "μ*: mean absolute elementary effect (bar: 95 % CI)": (
        "μ*：平均绝对基本效应（误差线：95%置信区间）"
    ),
    "σ: non-linearity and interactions": "σ：非线性与交互作用",
    "S1: alone": "S1：单独",
    "ST: with its interactions": "ST：含交互作用",
    "share of the KPI's variance (bar: 95 % CI)": "占指标方差的比例（误差线：95%置信区间）",
    "one at a time": "逐一变化法",
    "Morris screening": "Morris 筛选法",
    "Sobol indices": "Sobol 指数",
    "no factors": "无因素",
    "What moves {kpi}: {named}\n{label}": "影响{kpi}的因素：{named}\n{label}",
    "a ranking of {kpi}": "{kpi}的排序",
    "{kpi}: mean over each point's replications; all points share their seeds.": (
        "{kpi}：各点重复运行的均值；所有点共用随机种子。"
    ),
    "The least set-up that meets the target: the evidence": "满足目标的最小配置：依据",
    "set-ups tried": "所试配置",
    "target {target}": "目标 {target}",
    "Mean and Student-t 95 % interval over each set-up's replications (n) at its last "
    "round; a set-up meets a target when its whole interval is on the target's side.": (
        "各配置最后一轮重复运行（n）的均值及学生t分布95%区间；区间整体位于目标一侧时即满足目标。"
    ),
}
"""The words on figures, by their English wording → Simplified Chinese (see :func:`say`)."""


def say(english: str, /, **fields: object) -> str:
    """A figure's words in the language in force (:func:`current`): ``english`` itself, or
    its Chinese from :data:`PHRASES`; ``{fields}`` filled from the keyword arguments. A
    wording without a translation is written in English."""
    text = english
    if current() == "zh" and english in PHRASES:
        text = PHRASES[english]
    return text.format_map(fields) if fields else text
