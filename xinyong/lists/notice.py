"""The prior notice (事前告知书) and the publicity announcement, generated from the list type.

The document states the facts, the legal basis, the measures that will apply, the right to make a
statement and its deadline, the exit conditions and the remedies (河南条例 第二十八条, 深圳条例
第七十八条; rules.md §6.5). It is stored on the entry as sent, so later catalog changes never
rewrite what the subject was told.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import TYPE_CHECKING

from xinyong.catalog import ListType, Measure

REMEDIES = "如对认定决定不服，可以依法申请行政复议或者提起行政诉讼。"
PROVISIONAL = (
    "（暂定：该年放假安排尚未公布，按《全国年节及纪念日放假办法》推算；"
    "正式安排公布后，本期限不会提前）"
)

_TEMPLATE = """<article class="notice">
<h1>{{ title }}</h1>
<p class="doc-number">{{ n.notice_number }}</p>
<p>{{ n.subject_name }}（统一社会信用代码/证件号码：{{ n.subject_code }}）：</p>
{% if publicity -%}
<p>本机关拟将你单位列入{{ lt.title }}，现予公示。公示期自 {{ n.sent_on }} 起至 {#
#}{{ n.deadline }}{{ provisional }} 止（{{ n.period_days }} 个工作日）。{#
#}对公示对象有异议的，请在公示期内向本机关提出。</p>
{%- else -%}
<p>经查，{{ facts }}</p>
<p>依据{{ basis }}，本机关拟将你（单位）列入{{ lt.title }}。</p>
{%- endif %}
<h2>认定依据</h2>
<ul>{% for b in lt.legal_basis %}<li>{{ b.cite() }}</li>{% endfor %}</ul>
{% if n.measures %}<h2>列入后将依法实施的措施</h2>
<ul>{% for m in n.measures %}<li>{{ m.content }}（{{ m.implementer }}；依据：{#
#}{{ cites(m.legal_basis) }}）</li>{% endfor %}</ul>
{% endif %}
{% if not publicity %}<h2>陈述申辩权利</h2>
<p>你（单位）享有陈述、申辩的权利。如需陈述、申辩，请于 {{ n.deadline }}{{ provisional }}{#
#}（自本告知书送达之日起 {{ n.period_days }} 个工作日）前向本机关提出；{#
#}逾期未提出的，视为放弃上述权利。</p>
{% endif %}<h2>有效期与移出条件</h2>
<p>{{ validity }}</p>
<ul>{% for c in lt.exit_conditions %}<li>{{ c }}</li>{% endfor %}</ul>
{% if lt.early_exit.allowed %}<p>符合下列条件的，可以申请提前移出{{ early_after }}：</p>
<ul>{% for c in lt.early_exit.conditions %}<li>{{ c }}</li>{% endfor %}</ul>{% endif %}
<h2>救济途径</h2>
<p>{{ remedies }}</p>
<p class="signature">{{ n.authority }}<br>{{ n.sent_on }}</p>
</article>
"""

if TYPE_CHECKING:
    from jinja2 import Template


@cache
def _template() -> Template:
    """Compiled on first use: Jinja and the template's compilation stay out of the start-up of
    every command that imports the lists package without writing a notice (`xinyong evaluate`)."""
    from jinja2 import Environment, select_autoescape  # noqa: PLC0415

    env = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
    return env.from_string(_TEMPLATE)


@dataclass(frozen=True, slots=True)
class NoticeFacts:
    notice_number: str
    subject_name: str
    subject_code: str  # masked for persons
    facts: str
    measures: tuple[Measure, ...]
    sent_on: date
    deadline: date
    period_days: int
    authority: str
    # the deadline lies in a year whose arrangement is not published yet: computed provisionally
    deadline_provisional: bool = False


def validity_text(lt: ListType) -> str:
    if lt.validity.months is not None:
        text = f"列入有效期为 {lt.validity.months} 个月，自认定决定作出之日起计算，期满自动移出。"
    else:
        text = "列入后至依法移出之日止。"
    return text + (lt.validity.note or "")


LEAD = re.compile(r"^\s*(经查实?|经调查|查明)[，,：:\s]*")


def facts_sentence(facts: str) -> str:
    """The facts without their own lead-in: the notice already says "经查，" (never doubled)."""
    return LEAD.sub("", facts.strip(), count=1)


def render(lt: ListType, facts: NoticeFacts, *, publicity: bool) -> str:
    """The notice (or, for red lists, the publicity announcement) as an HTML fragment."""
    title = f"{lt.title}拟列入公示" if publicity else f"拟列入{lt.title}事前告知书"
    return _template().render(
        title=title,
        n=facts,
        facts=facts_sentence(facts.facts),
        provisional=PROVISIONAL if facts.deadline_provisional else "",
        lt=lt,
        publicity=publicity,
        basis="、".join(b.cite() for b in lt.legal_basis),
        validity=validity_text(lt),
        remedies=REMEDIES,
        cites=lambda basis: "、".join(b.cite() for b in basis),
        early_after=f"（列入满 {after} 个月后）" if (after := lt.early_exit.after_months) else "",
    )
