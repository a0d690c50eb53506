"""Typed settings: the shape of config.toml, with every default in one place."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from pipeline.topics import TOPIC_NAMES
from pipeline.urgency import LEVEL_NAMES  # noqa: F401 - re-exported for the application

# The default taxonomy (stable codes → names) and the urgency levels are the pipeline's own.
TOPIC_DEFAULTS: dict[str, str] = TOPIC_NAMES

LEVEL_COLOURS = {1: "红", 2: "橙", 3: "黄", 4: "蓝"}

_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
_SPAN = re.compile(r"^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$")


class KeyedProblem(ValueError):
    """A check across sections that knows the key it is about, so the loader can name the line."""

    def __init__(self, message: str, loc: tuple):
        super().__init__(message)
        self.loc = loc


class Strict(BaseModel):
    """Base for every section: unknown keys are errors, values are checked strictly."""

    model_config = ConfigDict(extra="forbid", validate_default=True)


def _check_span(value: str) -> str:
    if value and not _SPAN.match(value):
        raise ValueError("应为“HH:MM-HH:MM”形式的时间段,例如 “06:00-23:00”")
    return value


def _check_hhmm(value: str) -> str:
    if not _HHMM.match(value):
        raise ValueError("应为“HH:MM”形式的时间,例如 “08:30”")
    return value


_EMAIL = re.compile(r"^[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")


def check_email(value: str) -> str:
    """An e-mail address, or empty; anything else is a configuration error."""
    value = value.strip()
    if value and not _EMAIL.match(value):
        raise ValueError(f"“{value}”不是有效的电子邮件地址,应形如 “name@example.gov.cn”")
    return value


def _check_shift_changes(values: list[str]) -> list[str]:
    if not values:
        raise ValueError("至少需要一个交班时间,例如 [\"08:30\"]")
    times = [_check_hhmm(v) for v in values]
    if len(set(times)) != len(times):
        raise ValueError("交班时间重复")
    return sorted(times)


class GeneralSettings(Strict):
    timezone: str = "Asia/Shanghai"
    data_dir: str = "data"
    town: str = "东园镇"
    district: str = "沙坡头区"
    public_url: str = ""  # dashboard address used in e-mail links; default http://host:port

    @field_validator("timezone")
    @classmethod
    def _tz(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"未知时区 “{value}”") from exc
        return value


class DatabaseSettings(Strict):
    url: str = "sqlite:///data/yuqing.db"
    echo: bool = False


class DashboardSettings(Strict):
    host: str = "127.0.0.1"
    port: int = Field(8050, ge=1, le=65535)
    secret_key: str = ""  # empty: generated once and kept in the data folder
    session_minutes: int = Field(480, ge=5)
    refresh_seconds: int = Field(5, ge=2, le=300)
    login_max_failures: int = Field(5, ge=1)
    login_lockout_minutes: int = Field(15, ge=1)


class MailSettings(Strict):
    outbox_dir: str = "data/outbox"
    smtp_host: str = ""
    smtp_port: int = Field(25, ge=1, le=65535)
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False
    smtp_ssl: bool = False
    smtp_timeout: float = Field(15.0, gt=0)
    sender: str = "yuqing@example.gov.cn"
    admin_emails: list[str] = []
    leader_emails: list[str] = []
    duty_leader_email: str = ""
    max_attempts: int = Field(50, ge=1)
    retry_base_seconds: float = Field(10.0, gt=0)
    retry_max_seconds: float = Field(600.0, gt=0)

    _address = field_validator("sender", "duty_leader_email")(lambda cls, v: check_email(v))
    _lists = field_validator("admin_emails", "leader_emails")(lambda cls, v: [check_email(e) for e in v])


class DutySettings(Strict):
    """The 舆情 duty desk (舆情值班): it holds 研判 and is told, and charged, for its deadlines."""

    name: str = "舆情值班室"
    email: str = ""  # the duty desk's mailbox: 研判 warnings and breaches
    head_email: str = ""  # 值班负责人: first step of a 研判 escalation (else the duty leader)
    shift_changes: list[str] = ["08:30", "17:30"]  # local times a duty shift hands over to the next

    _times = field_validator("shift_changes")(lambda cls, v: _check_shift_changes(v))
    _emails = field_validator("email", "head_email")(lambda cls, v: check_email(v))


class WebhookSettings(Strict):
    name: str
    url: str
    levels: list[int] = [1, 2, 3, 4]
    kinds: list[str] = ["alert", "breach", "digest", "source_down"]
    format: Literal["generic", "wecom", "dingtalk"] = "generic"


class AlertSettings(Strict):
    immediate_levels: list[int] = [1, 2]
    digest_times: list[str] = ["08:30", "17:30"]
    quiet_hours: str = "22:00-07:00"  # applies to digests only

    _times = field_validator("digest_times")(lambda cls, v: [_check_hhmm(t) for t in v])
    _quiet = field_validator("quiet_hours")(lambda cls, v: _check_span(v))


class EscalationSettings(Strict):
    office_head_after_minutes: float = Field(0, ge=0)
    lead_office_after_minutes: float = Field(30, ge=0)
    leader_after_minutes: float = Field(60, ge=0)


class LevelDeadlines(Strict):
    """Budgets in hours after detection; 0 means the stage does not apply at this level."""

    assess_hours: float = Field(ge=0)
    publish_hours: float = Field(0, ge=0)
    press_hours: float = Field(0, ge=0)
    respond_hours: float = Field(0, ge=0)


class DeadlineSettings(Strict):
    warn_shares: list[float] = [0.5, 0.8]
    detect_hours: float = Field(2.0, gt=0)  # publication → first seen, measured per mention
    level_1: LevelDeadlines = LevelDeadlines(assess_hours=0.5, publish_hours=5, press_hours=24)
    level_2: LevelDeadlines = LevelDeadlines(assess_hours=1, publish_hours=5, press_hours=24)
    level_3: LevelDeadlines = LevelDeadlines(assess_hours=2, respond_hours=48)
    level_4: LevelDeadlines = LevelDeadlines(assess_hours=4, respond_hours=48)

    @field_validator("warn_shares")
    @classmethod
    def _shares(cls, value: list[float]) -> list[float]:
        if any(not 0 < share < 1 for share in value):
            raise ValueError("预警比例应在 0 与 1 之间,例如 [0.5, 0.8]")
        return sorted(value)

    def for_level(self, level: int) -> LevelDeadlines:
        """The budgets that apply to an urgency level (1..4)."""
        return getattr(self, f"level_{level}")


class OfficeSettings(Strict):
    code: str = Field(pattern=r"^[a-z][a-z0-9_-]*$")
    name: str
    email: str = ""
    head_email: str = ""
    lead: bool = False
    topics: list[str] = []  # topic codes this office is responsible for
    villages: list[str] = []  # 属地: villages this office answers for

    _emails = field_validator("email", "head_email")(lambda cls, v: check_email(v))


class RoutingRule(Strict):
    office: str
    topics: list[str] = []
    villages: list[str] = []
    sources: list[str] = []


class TopicSettings(Strict):
    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str
    keywords: list[str] = []


class SchemeSettings(Strict):
    name: str
    region: str = ""
    subject: str = ""
    event: str = ""
    exclude: str = ""
    enabled: bool = True


class RegionSettings(Strict):
    villages: list[str] = []
    aliases: dict[str, list[str]] = {}  # village → other names it goes by


class HtmlSelectors(Strict):
    item_links: str
    title: str = ""
    body: str = ""
    time: str = ""
    author: str = ""
    next_page: str = ""
    reposts: str = ""
    comments: str = ""
    # Comments / replies on the detail page: `comment` matches each one (a forum floor after the first), the
    # others are read inside it. Stored under the post, de-identified, counted into its event's heat.
    comment: str = ""
    comment_author: str = ""
    comment_body: str = ""  # empty: the whole comment block's text
    comment_time: str = ""
    comment_id: str = ""  # e.g. "::attr(id)"; empty: position and text identify a comment


class BoardSelectors(HtmlSelectors):
    status: str = ""
    reply: str = ""
    reply_time: str = ""
    reply_office: str = ""


class JsonPaths(Strict):
    items: str
    id: str = "id"
    title: str = "title"
    content: str = "content"
    url: str = "url"
    time: str = "time"
    author: str = ""
    reposts: str = ""
    comments: str = ""
    next_page: str = ""  # a boolean "has more" path, or a path to the next URL
    comment_list: str = ""  # path (inside each object) to its list of comments
    comment_id: str = "id"  # the rest are read inside each comment object
    comment_content: str = "content"
    comment_author: str = ""
    comment_time: str = ""


class SearchSettings(Strict):
    """A keyword search page. The source's `url` holds {keyword} and {page}; each result block is read with these
    selectors (relative to the block). Keywords come from the monitoring schemes (region words × subject words)
    plus `keywords`, a few per run in rotation."""

    results: str  # one match per search result
    link: str = "a::attr(href)"
    title: str = ""  # empty: the link's text
    snippet: str = ""
    time: str = ""
    author: str = ""  # the site or account the result comes from
    detail_title: str = ""  # with detail_body: each new result's page is fetched and read with these
    detail_body: str = ""  # empty: the result's title and snippet are stored (no request per result)
    detail_time: str = ""
    keywords: list[str] = []
    from_schemes: bool = True  # add region × subject words of the enabled [[schemes]]
    keywords_per_run: int = Field(3, ge=1, le=50)
    max_keywords: int = Field(200, ge=1)
    page_start: int = Field(1, ge=0)  # {page} of the first result page (0 for some sites)
    page_step: int = Field(1, ge=1)  # added per page (10 when {page} is a result offset)
    keyword_encoding: str = "utf-8"  # how the keyword is percent-encoded in the URL (some sites want gbk)

    @field_validator("keyword_encoding")
    @classmethod
    def _encoding(cls, value: str) -> str:
        import codecs

        try:
            codecs.lookup(value)
        except LookupError as exc:
            raise ValueError(f"未知编码 “{value}”,常用 “utf-8” 或 “gbk”") from exc
        return value


SOURCE_KINDS = ("rss", "html", "json", "board", "search", "rsshub")
RSSHUB_PLATFORMS = {
    "weibo": ("微博", "weibo"),
    "wechat": ("微信公众号", ""),  # an account of the government or of anyone: set source_type / official
    "douyin": ("抖音", "other"),
    "kuaishou": ("快手", "other"),
    "bilibili": ("B站", "other"),
    "zhihu": ("知乎", "forum"),
    "tieba": ("贴吧", "forum"),
    "xiaohongshu": ("小红书", "other"),
    "toutiao": ("今日头条", "news"),
}


def rsshub_platform(route: str) -> str:
    """The platform (Chinese name) an RSSHub route reads, from its first path segment: "/weibo/user/1" → 微博."""
    first = route.strip("/").split("/", 1)[0].lower()
    return RSSHUB_PLATFORMS.get(first, (first or "RSSHub", ""))[0]


SOURCE_TYPES = ("news", "forum", "board", "official", "weibo", "other")


class SourceSettings(Strict):
    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    kind: Literal["rss", "html", "json", "board", "search", "rsshub"]
    url: str = ""  # kind rsshub: left out, made of instance + route
    title: str = ""  # display name, e.g. “沙坡头论坛”
    interval: int = Field(300, ge=5)
    jitter: int = Field(0, ge=0)
    active_hours: str = ""
    enabled: bool = True
    source_type: Literal["news", "forum", "board", "official", "weibo", "other"] = "other"
    official: bool = False  # posts are the government's own (response evidence)
    obey_robots: bool | None = None  # None: the [crawl] default
    encoding: str = ""  # force a page encoding when a site declares a wrong one
    max_pages: int = Field(5, ge=1)
    max_links_per_page: int | None = Field(None, ge=1)  # None: the [crawl] default
    max_items_per_run: int | None = Field(None, ge=1)
    fail_limit: int = Field(3, ge=1)
    silence_hours: float = Field(48, gt=0)
    # Sources with comment selectors: stored posts of the last recheck_hours re-read, recheck_per_run a run in
    # rotation and each at most every recheck_minutes, so comments that come after the post are seen too.
    recheck_per_run: int = Field(10, ge=0)
    recheck_hours: float = Field(48, gt=0)
    recheck_minutes: float = Field(10, gt=0)
    html: HtmlSelectors | None = None
    board: BoardSelectors | None = None
    json_paths: JsonPaths | None = Field(None, alias="json")
    search: SearchSettings | None = None
    instance: str = ""  # kind rsshub: the RSSHub instance, e.g. "http://127.0.0.1:1200"
    route: str = ""  # kind rsshub: e.g. "/weibo/user/1195230310"

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    _span = field_validator("active_hours")(lambda cls, v: _check_span(v))

    @field_validator("url", "instance")
    @classmethod
    def _url(cls, value: str) -> str:
        if value and not re.match(r"^https?://[^\s/]+", value):
            raise ValueError("应为以 http:// 或 https:// 开头的网址")
        return value

    @field_validator("route")
    @classmethod
    def _route(cls, value: str) -> str:
        if value and not re.match(r"^/[^\s]+$", value):
            raise ValueError("应为以 / 开头的 RSSHub 路由,例如 “/weibo/user/1195230310”")
        return value

    @model_validator(mode="after")
    def _selectors_for_kind(self) -> SourceSettings:
        if self.kind == "rsshub":
            if not self.route:
                raise KeyedProblem("类型为 rsshub 的来源需要 route(例如 “/weibo/user/1195230310”)", ("kind",))
            if not self.url:
                if not self.instance:
                    raise KeyedProblem(
                        "类型为 rsshub 的来源需要 instance(RSSHub 实例地址,例如 “http://127.0.0.1:1200”)", ("kind",)
                    )
                self.url = self.instance.rstrip("/") + self.route
            first = self.route.strip("/").split("/", 1)[0].lower()
            if "source_type" not in self.model_fields_set and RSSHUB_PLATFORMS.get(first, ("", ""))[1]:
                self.source_type = RSSHUB_PLATFORMS[first][1]  # type: ignore[assignment]
        elif self.instance or self.route:
            raise KeyedProblem(
                "instance 和 route 只用于类型为 rsshub 的来源", ("instance" if self.instance else "route",)
            )
        if not self.url:
            raise KeyedProblem("缺少 url(来源网址)", ("kind",))
        if self.kind == "search":
            if "{keyword}" not in self.url:
                raise KeyedProblem("类型为 search 的来源,url 中需要 {keyword}(以及翻页用的 {page})", ("url",))
            if "{page}" not in self.url and self.max_pages > 1:
                raise KeyedProblem("url 中没有 {page},无法翻页:请加入 {page},或设 max_pages = 1", ("url",))
        needed = {"html": "html", "board": "board", "json": "json_paths", "search": "search"}.get(self.kind)
        if needed and getattr(self, needed) is None:
            section = "json" if needed == "json_paths" else needed
            raise ValueError(f"类型为 {self.kind} 的来源需要 [sources.{section}] 小节(选择器/字段路径)")
        return self


class CrawlSettings(Strict):
    user_agent: str = "Mozilla/5.0 (compatible; yuqing-monitor/0.1; +http://127.0.0.1/)"
    obey_robots: bool = True
    concurrent_requests: int = Field(32, ge=1)
    concurrent_per_domain: int = Field(2, ge=1)
    download_timeout: float = Field(20, gt=0)
    retry_times: int = Field(2, ge=0)
    max_response_mb: float = Field(10, gt=0)
    autothrottle: bool = True
    download_delay: float = Field(0, ge=0)
    max_links_per_page: int = Field(300, ge=1)  # links / feed entries / API objects read from one page
    max_items_per_run: int = Field(500, ge=1)  # detail pages and entries taken from one source in one poll
    blocked_backoff_minutes: float = Field(10, gt=0)  # a site asking for a captcha / answering 403: first pause
    blocked_backoff_max_hours: float = Field(24, gt=0)  # the pause doubles each time, up to this


class UrgencySettings(Strict):
    """Thresholds of the urgency rules (预警等级); the defaults are the pipeline's."""

    dead_level1: int = Field(3, ge=1)  # deaths that make an event 特别重大
    injured_level1: int = Field(10, ge=1)
    trapped_level1: int = Field(10, ge=1)  # trapped or missing
    poisoned_level1: int = Field(30, ge=1)
    injured_level2: int = Field(3, ge=1)
    trapped_level2: int = Field(3, ge=1)
    poisoned_level2: int = Field(10, ge=1)
    velocity_level2: float = Field(30.0, gt=0)  # mentions per hour of one event
    velocity_level3: float = Field(10.0, gt=0)
    negativity_strong: float = Field(0.6, gt=0, le=1)


class ClassifierSettings(Strict):
    model_dir: str = ""  # a directory written by `yuqing train`; empty: the shipped lexicon classifier


class LearningSettings(Strict):
    """Retraining the topic model on the town's corrections (issue 15)."""

    retrain: Literal["", "daily", "weekly"] = ""  # scheduled retraining; empty: only by hand (模型 page, CLI)
    retrain_weekday: int = Field(7, ge=1, le=7)  # weekly: 1 = Monday
    retrain_time: str = "03:00"
    holdout_share: float = Field(0.2, gt=0, lt=1)  # share of the corrections held back to judge a new model
    min_labels: int = Field(30, ge=2)  # fewer labelled mentions than this: no training
    min_held_back: int = Field(10, ge=1)  # fewer held-back rows than this: a new model is never switched in
    min_gain: float = Field(0.0, ge=0, lt=1)  # a new model must beat the one in use by more than this

    _times = field_validator("retrain_time")(lambda cls, v: _check_hhmm(v))


class ClusteringSettings(Strict):
    window_hours: float = Field(72, gt=0)
    similarity: float = Field(0.5, gt=0, le=1)
    burst_sigma: float = Field(3.0, gt=0)
    burst_min_mentions: int = Field(5, ge=1)


class SchedulerSettings(Strict):
    deadline_check_seconds: int = Field(30, ge=1)
    outbox_seconds: int = Field(10, ge=1)
    health_check_seconds: int = Field(60, ge=5)
    monthly_report_day: int = Field(1, ge=1, le=28)
    monthly_report_time: str = "08:00"
    daily_brief_time: str = "08:00"
    weekly_brief_weekday: int = Field(1, ge=1, le=7)  # 1 = Monday

    _times = field_validator("monthly_report_time", "daily_brief_time")(lambda cls, v: _check_hhmm(v))


class ClusterSettings(Strict):
    """Scale-out roles (`yuqing scheduler|worker|mailer|web`, PostgreSQL only): the Celery broker and the pace."""

    broker_url: str = "amqp://guest:guest@127.0.0.1:5672//"  # RabbitMQ (or redis://127.0.0.1:6379/0)
    queue: str = "yuqing.crawl"
    batch_size: int = Field(10, ge=1, le=1000)  # sources per queued batch
    lease_seconds: float = Field(90, ge=5)  # a batch not finished in this time is queued again
    tick_seconds: float = Field(1.0, gt=0, le=60)  # how often the leader looks for due sources and jobs
    worker_batches: int = Field(4, ge=1, le=64)  # batches one worker process crawls at once
    heartbeat_seconds: float = Field(5, ge=1)
    mail_poll_seconds: float = Field(2, gt=0)
    domain_delay: float = Field(0, ge=0)  # seconds between two requests to one site, across all workers (0 = off)


class AccountabilityRule(Strict):
    """A suggestion rule: when an office's breaches in the month meet the condition, suggest an action."""

    action: Literal["通报批评", "约谈负责人"]
    min_breaches: int = Field(1, ge=1)
    max_level: int = Field(4, ge=1, le=4)  # only breaches on events at this level or more severe count
    min_heat: float = Field(0, ge=0)


class ReportSettings(Strict):
    out_dir: str = "data/reports"
    # The seed (四(二)): 通报批评 or 约谈 for 重大政务舆情 handled badly or late with a large negative impact. So by
    # default only breaches on 1–2 级 events lead to a suggestion; the rest are counted in the figures only.
    rules: list[AccountabilityRule] = [
        AccountabilityRule(action="通报批评", min_breaches=1, max_level=2, min_heat=50),
        AccountabilityRule(action="约谈负责人", min_breaches=2, max_level=2),
        AccountabilityRule(action="约谈负责人", min_breaches=1, max_level=1),
    ]


class EvidenceSettings(Strict):
    """Snapshots are stored de-identified; a raw copy only with keep_raw, encrypted, for raw_retention_days."""

    keep_raw: bool = False
    raw_key: str = ""  # Fernet key (URL-safe Base64, 44 characters); or $YUQING_EVIDENCE_KEY
    old_raw_keys: list[str] = []  # earlier keys, still accepted to open raw copies they encrypted
    raw_retention_days: float = Field(30, gt=0)


class LoggingSettings(Strict):
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    file: str = "data/logs/yuqing.log"


class Settings(Strict):
    general: GeneralSettings = GeneralSettings()
    database: DatabaseSettings = DatabaseSettings()
    dashboard: DashboardSettings = DashboardSettings()
    mail: MailSettings = MailSettings()
    duty: DutySettings = DutySettings()
    webhooks: list[WebhookSettings] = []
    alerts: AlertSettings = AlertSettings()
    escalation: EscalationSettings = EscalationSettings()
    deadlines: DeadlineSettings = DeadlineSettings()
    offices: list[OfficeSettings] = []
    routing: list[RoutingRule] = []
    topics: list[TopicSettings] = []
    schemes: list[SchemeSettings] = []
    regions: RegionSettings = RegionSettings()
    crawl: CrawlSettings = CrawlSettings()
    sources: list[SourceSettings] = []
    classifier: ClassifierSettings = ClassifierSettings()
    learning: LearningSettings = LearningSettings()
    urgency: UrgencySettings = UrgencySettings()
    clustering: ClusteringSettings = ClusteringSettings()
    scheduler: SchedulerSettings = SchedulerSettings()
    cluster: ClusterSettings = ClusterSettings()
    reports: ReportSettings = ReportSettings()
    evidence: EvidenceSettings = EvidenceSettings()
    logging: LoggingSettings = LoggingSettings()

    # Filled by the loader, not from the file.
    config_path: str = Field("", exclude=True)

    @model_validator(mode="after")
    def _cross_checks(self) -> Settings:
        names = [s.name for s in self.sources]
        for index, name in enumerate(names):
            if name in names[:index]:
                raise KeyedProblem(f"来源名称重复:{name}", ("sources", index, "name"))
        scheme_names = [s.name for s in self.schemes]
        for index, name in enumerate(scheme_names):
            if name in scheme_names[:index]:  # schemes are stored by name (yuqing.schemes.store)
                raise KeyedProblem(f"监测方案名称重复:{name}", ("schemes", index, "name"))
        codes = [o.code for o in self.offices]
        for index, code in enumerate(codes):
            if code in codes[:index]:
                raise KeyedProblem(f"责任单位代码重复:{code}", ("offices", index, "code"))
        leads = [index for index, office in enumerate(self.offices) if office.lead]
        if len(leads) > 1:
            raise KeyedProblem("只能有一个牵头单位(lead = true)", ("offices", leads[1], "lead"))
        known = set(codes)
        for index, rule in enumerate(self.routing):
            if rule.office not in known:
                raise KeyedProblem(
                    f"分派规则指向未定义的责任单位 “{rule.office}”(已定义:{'、'.join(codes) or '无'})",
                    ("routing", index, "office"),
                )
        topic_codes = set(self.topic_names())
        for index, office in enumerate(self.offices):
            for topic in office.topics:
                if topic not in topic_codes:
                    raise KeyedProblem(f"责任单位 {office.code} 的领域 “{topic}” 未定义", ("offices", index, "topics"))
        return self

    def topic_names(self) -> dict[str, str]:
        """Topic code → display name: the defaults, renamed or extended by [[topics]]."""
        names = dict(TOPIC_DEFAULTS)
        for topic in self.topics:
            names[topic.code] = topic.name
        return names

    def lead_office(self) -> OfficeSettings | None:
        """The lead office (镇党政办): the one marked lead, else the first."""
        for office in self.offices:
            if office.lead:
                return office
        return self.offices[0] if self.offices else None

    def source(self, name: str) -> SourceSettings | None:
        """The source with this name, or None."""
        return next((s for s in self.sources if s.name == name), None)
