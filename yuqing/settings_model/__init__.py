"""Typed settings: the shape of config.toml, with every default in one place.

`Settings` is the whole file and the one import point; its sections live in submodules by concern: runtime,
alerting, offices, judgement, sources (and checks, what every section shares)."""

from __future__ import annotations

from pydantic import Field, model_validator

from pipeline.urgency import LEVEL_NAMES
from yuqing.settings_model.alerting import (
    AlertSettings,
    DeadlineSettings,
    DutySettings,
    EscalationSettings,
    LevelDeadlines,
    MailSettings,
    WebhookSettings,
)
from yuqing.settings_model.checks import KeyedProblem, Strict, check_email
from yuqing.settings_model.judgement import (
    LEVEL_COLOURS,
    TOPIC_DEFAULTS,
    ClassifierSettings,
    ClusteringSettings,
    LearningSettings,
    SchemeSettings,
    TopicSettings,
    UrgencySettings,
)
from yuqing.settings_model.offices import (
    AccountabilityRule,
    OfficeSettings,
    RegionSettings,
    ReportSettings,
    RoutingRule,
)
from yuqing.settings_model.runtime import (
    ClusterSettings,
    DashboardSettings,
    DatabaseSettings,
    EvidenceSettings,
    GeneralSettings,
    LoggingSettings,
    SchedulerSettings,
)
from yuqing.settings_model.sources import (
    RSSHUB_PLATFORMS,
    SOURCE_KINDS,
    SOURCE_TYPES,
    BoardSelectors,
    CrawlSettings,
    HtmlSelectors,
    JsonPaths,
    SearchSettings,
    SourceSettings,
    rsshub_platform,
)


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


__all__ = [
    "Settings",
    "LEVEL_NAMES",
    "KeyedProblem",
    "Strict",
    "check_email",
    "GeneralSettings",
    "DatabaseSettings",
    "DashboardSettings",
    "SchedulerSettings",
    "ClusterSettings",
    "EvidenceSettings",
    "LoggingSettings",
    "MailSettings",
    "DutySettings",
    "WebhookSettings",
    "AlertSettings",
    "EscalationSettings",
    "LevelDeadlines",
    "DeadlineSettings",
    "OfficeSettings",
    "RoutingRule",
    "RegionSettings",
    "AccountabilityRule",
    "ReportSettings",
    "TOPIC_DEFAULTS",
    "LEVEL_COLOURS",
    "TopicSettings",
    "SchemeSettings",
    "UrgencySettings",
    "ClassifierSettings",
    "LearningSettings",
    "ClusteringSettings",
    "HtmlSelectors",
    "BoardSelectors",
    "JsonPaths",
    "SearchSettings",
    "SOURCE_KINDS",
    "RSSHUB_PLATFORMS",
    "rsshub_platform",
    "SOURCE_TYPES",
    "SourceSettings",
    "CrawlSettings",
]
