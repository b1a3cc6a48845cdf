"""The one place for translations: every text in both languages, with the same fields."""

from __future__ import annotations

import re

import pytest

from sim.results import i18n
from sim.results.formatting import UNITS
from sim.results.kpis import KPIS

HAN = re.compile(r"[\u3400-\u9fff]")


@pytest.mark.parametrize("key", sorted(i18n.TEXTS))
def test_every_text_has_english_and_chinese_with_the_same_fields(key):
    text = i18n.TEXTS[key]
    assert text.en.strip(), key
    assert text.zh.strip(), key
    assert i18n.fields_of(text.en) == i18n.fields_of(text.zh), key
    assert not HAN.search(text.en), f"{key}: Chinese in the English text"


def test_label_fills_fields_in_either_language():
    assert i18n.label("report.kpis") == "Key performance indicators"
    assert i18n.label("report.kpis", "zh") == "关键绩效指标"
    assert i18n.label("report.all_rows", "zh", n=12) == "全部 12 行"


def test_an_unknown_key_or_language_says_which():
    with pytest.raises(KeyError, match=r"report\.nothing"):
        i18n.label("report.nothing", "en")
    with pytest.raises(i18n.UnknownLanguage, match=r"'fr'.*en, zh"):
        i18n.label("report.kpis", "fr")


def test_places_are_named_as_the_port_writes_them():
    assert i18n.place_text("huaihua", "zh") == "怀化国际陆港"
    assert i18n.place_text("qinzhou", "zh") == "钦州港"
    assert i18n.place_text("mohan", "zh") == "磨憨"
    assert i18n.place_text("pingxiang", "zh") == "凭祥"
    # a scenario label without Chinese gets the port's Chinese name; an unknown place its own
    assert i18n.place_text("liuzhou", "zh", i18n.Label(en="Liuzhou", zh="Liuzhou")) == "柳州"
    assert i18n.place_text("atlantis", "zh") == "atlantis"


def test_every_unit_a_kpi_can_have_is_translated():
    for unit in UNITS.values():
        for shown in (unit.shown, unit.axis):
            assert i18n.has(f"unit.{shown}"), shown
            assert HAN.search(i18n.unit_text(shown, "zh")) or shown.isascii()


def test_every_theme_of_the_registry_has_a_heading():
    for family in KPIS:
        assert i18n.has(f"theme.{family.theme}")


def test_adding_a_text_twice_with_other_words_is_refused():
    i18n.add("report.test_only", "Only a test", "仅供测试")
    try:
        i18n.add("report.test_only", "Only a test", "仅供测试")  # the same: fine
        with pytest.raises(ValueError, match="other words"):
            i18n.add("report.test_only", "Another", "另一个")
    finally:
        del i18n.TEXTS["report.test_only"]


def test_figures_are_labelled_in_the_language_in_force_and_english_after():
    assert i18n.current() == "en"
    with i18n.language("zh"):
        assert i18n.label("report.figures") == "图表"
    assert i18n.label("report.figures") == "Figures"
    with pytest.raises(i18n.UnknownLanguage), i18n.language("de"):
        pass


@pytest.mark.parametrize("english", sorted(i18n.PHRASES))
def test_every_phrase_on_figures_has_chinese_with_the_same_fields(english):
    chinese = i18n.PHRASES[english]
    assert i18n.fields_of(english) == i18n.fields_of(chinese), english
    assert HAN.search(chinese) or not re.search("[a-z]{3}", english), english


def test_figure_phrases_follow_the_language_in_force():
    assert i18n.say("TEU per {period}", period="month") == "TEU per month"
    with i18n.language("zh"):
        assert i18n.say("TEU per {period}", period=i18n.say("month")) == "每月TEU"
        assert i18n.say("a phrase nobody translated") == "a phrase nobody translated"


def test_dates_on_figures_are_written_as_the_port_writes_them_in_chinese():
    import datetime as dt

    import matplotlib.dates as mdates
    from matplotlib.figure import Figure

    from sim.results.plots.timeaxis import date_axis

    monday = dt.date(2023, 3, 6)
    assert i18n.date_text(monday, "day") == "06 Mar"
    with i18n.language("zh"):
        assert i18n.date_text(monday, "month_year") == "3月\n2023年"
        assert i18n.date_text(monday, "weekday_day") == "周一\n3月6日"
    ax = Figure().subplots()
    lo, hi = (float(mdates.date2num(dt.datetime(2023, m, 1))) for m in (1, 8))
    with i18n.language("zh"):
        date_axis(ax, lo, hi)
    ticks = ax.xaxis.get_major_formatter().seq  # type: ignore[attr-defined]
    assert ticks == ["1月\n2023年", "2月", "3月", "4月", "5月", "6月", "7月", "8月"]
