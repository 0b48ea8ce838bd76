"""Name normalisation for screening rows that carry a name and no code.

Full-width → half-width (NFKC), spaces and brackets removed, a leading region prefix (示范区,
a province or a city/county name) and a trailing legal-form suffix (有限公司, 有限责任公司,
股份有限公司 …) stripped. Each step taken is reported, so a match explains itself.
"""

from __future__ import annotations

import re
import unicodedata

PROVINCES = (
    "北京", "天津", "上海", "重庆", "河北", "山西", "辽宁", "吉林", "黑龙江",
    "江苏", "浙江", "安徽", "福建", "江西", "山东", "河南", "湖北", "湖南",
    "广东", "海南", "四川", "贵州", "云南", "陕西", "甘肃", "青海", "台湾",
    "内蒙古", "广西", "西藏", "宁夏", "新疆", "香港", "澳门",
)  # fmt: skip
REGION_PREFIX = re.compile(
    r"^(示范区|(" + "|".join(PROVINCES) + r")(省|市|自治区|壮族自治区|回族自治区|维吾尔自治区"
    r"|特别行政区)?|[\u4e00-\u9fff]{2}(市|县|区))"
)
LEGAL_FORMS = (
    "股份有限公司", "有限责任公司", "集团有限公司", "有限公司", "股份公司", "集团公司",
    "有限合伙", "普通合伙", "合伙企业", "个人独资企业", "分公司", "公司",
)  # fmt: skip
_BRACKETS = re.compile(r"[(（][^()（）]{0,12}[)）]")
_NOISE = re.compile(r"[\s·.,，。、\"'“”‘’]")
MIN_CORE = 2  # never strip a name down to fewer characters than this


def normalise_name(name: str) -> tuple[str, tuple[str, ...]]:
    """The comparable core of a name and the steps that produced it."""
    steps: list[str] = []
    text = unicodedata.normalize("NFKC", name)
    if text != name:
        steps.append("全角转半角")
    stripped = _NOISE.sub("", _BRACKETS.sub("", text))
    if stripped != _NOISE.sub("", text):
        steps.append("去除括号内容")
    text = stripped
    for form in LEGAL_FORMS:
        if text.endswith(form) and len(text) - len(form) >= MIN_CORE:
            text = text[: -len(form)]
            steps.append(f"去除组织形式“{form}”")
            break
    match = REGION_PREFIX.match(text)
    if match and len(text) - match.end() >= MIN_CORE:
        steps.append(f"去除地区前缀“{match.group(0)}”")
        text = text[match.end() :]
    return text, tuple(steps)
