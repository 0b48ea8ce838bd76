"""xinyong — 公共信用信息平台 (public credit information platform)."""

__version__ = "0.1.0"
