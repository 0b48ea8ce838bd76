"""Settings from the environment (`XINYONG_*`).

Only surfaces, `db/session.py` and `log.py` read them; domain code receives values as arguments.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from functools import lru_cache
from importlib import resources
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent
# The shipped national catalogs, as package data: `xinyong/catalogs` is a link to the checkout's
# `catalogs/` (an editable install reads them there) and a copy in the wheel (pyproject
# package-data), so an installed platform finds them wherever its source folder is.
SHIPPED_CATALOG_DIR = Path(str(resources.files("xinyong") / "catalogs"))


class Environment(StrEnum):
    """What an installation is (`XINYONG_ENVIRONMENT`): asked by `xinyong doctor` and by whatever
    only a demo may do (`xinyong demo`), never guessed from the region code or the key."""

    PRODUCTION = "production"  # a credit office's real platform
    DEMO = "demo"  # a trial or demonstration (示范区 data may be loaded)
    TEST = "test"  # the test suite and developers' machines


class Settings(BaseSettings):
    """Typed settings with safe embedded defaults."""

    model_config = SettingsConfigDict(env_prefix="XINYONG_", extra="ignore")

    database_url: str = f"sqlite:///{REPO_ROOT / 'var' / 'xinyong.db'}"
    catalog_dir: Path = SHIPPED_CATALOG_DIR
    catalog_override_dir: Path | None = None
    today: date | None = None
    data_dir: Path = REPO_ROOT / "var"
    secret_key: str = "dev-only-change-me"  # noqa: S105 — set XINYONG_SECRET_KEY in production
    log_json: bool = False
    log_level: str = "INFO"
    # The address in the 信用码 and every absolute link. None: the address `xinyong serve` was
    # started on (it sets this from --host/--port), else the address the request came to.
    public_base_url: str | None = None
    # Served over HTTPS (directly or behind a TLS proxy): cookies get Secure, responses HSTS.
    https: bool = False
    environment: Environment = Environment.DEMO
    region_name: str = "示范区"
    region_code: str = "990100"
    # Joint checks on PostgreSQL use the raw async psycopg pool (measures/fast.py) unless off.
    check_fast_path: bool = True
    # Anonymous subject searches on PostgreSQL use the raw async psycopg pool (subjects_fast.py).
    search_fast_path: bool = True
    # The credit office's SM2 private key (PKCS#8 PEM); its public key sits beside it as
    # <name>.pub.pem. `xinyong init` creates a demo key at the default place when none exists.
    signing_key: Path | None = None
    # Who issues credit reports (printed on each report, beside its SM2 signature).
    report_issuer: str = "示范区社会信用体系建设牵头部门"
    # Report processes per server process (reports/pool.py): each issues whole reports in its own
    # transaction, started on the first report; 0: in the request's thread (blocks its process).
    report_workers: int = 1
    # Reports issued at once on this machine, across all server processes (reports/slots.py):
    # unset, the usable cores − 1 (at least 1), so report work always leaves a core free.
    report_slots: int | None = None
    # Report processes start a session of their own: their own scheduling group under autogroup,
    # so their CPU is not charged to the server's event loops (reports/priority.py).
    report_own_session: bool = True
    # Niceness (and autogroup weight) given to a report process's PostgreSQL backend when the
    # backend runs on this machine and the platform may change it (same OS user; reports/
    # priority.py, docs/decisions/0016 addendum 3); else it is left and that is logged once.
    # 0: never touch the database's processes.
    report_backend_nice: int = 19
    # Report processes — and their PostgreSQL backends where report_backend_nice lets the
    # platform touch them — run only on the last `report_slots` usable cores, so the first
    # core(s) stay free for interactive requests (reports/cores.py, docs/decisions/0016
    # addendum 5). False: the kernel places them anywhere.
    report_confine_cores: bool = True
    # Query-log retention in years (rules.md §7.5: ≥ 5 years; 浙江 asks 10).
    query_log_retention_years: int = 5
    # Uploads stored for background runs (<data_dir>/runs/uploads) are deleted by the retention
    # job once no run has used them for this many days (never those of a queued or running run).
    run_upload_retention_days: int = 90

    @property
    def production(self) -> bool:
        return self.environment == Environment.PRODUCTION

    @property
    def signing_key_path(self) -> Path:
        return self.signing_key or self.data_dir / "keys" / "office-sm2.pem"

    # `xinyong jobs run exchange`: packages to import are picked up from the inbox; packages of
    # pending changes are written to the outbox folder (where the transfer to the provincial
    # platform picks them up). Defaults under data_dir/exchange/.
    exchange_inbox: Path | None = None
    exchange_outbox: Path | None = None
    # Delivery to a URL (`POST …/api/v1/exchange/packages` of the receiving platform) with an API
    # key of the `exchange` scope issued by that platform. With a URL and no outbox folder set,
    # packages go to the URL only; with both set, to both.
    exchange_outbox_url: str | None = None
    exchange_outbox_api_key: str | None = None

    @property
    def exchange_inbox_dir(self) -> Path:
        return self.exchange_inbox or self.data_dir / "exchange" / "inbox"

    @property
    def exchange_outbox_dir(self) -> Path:
        return self.exchange_outbox or self.data_dir / "exchange" / "outbox"

    @property
    def exchange_outbox_folder(self) -> Path | None:
        """The folder packages are written to: none when only a URL is configured."""
        if self.exchange_outbox_url and self.exchange_outbox is None:
            return None
        return self.exchange_outbox_dir


@lru_cache
def get_settings() -> Settings:
    return Settings()
