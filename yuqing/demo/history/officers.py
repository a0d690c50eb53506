"""The history's officers: the duty desk and the offices, deciding as people would and acting through the real
workflow functions at the simulated time."""

from __future__ import annotations

import random
from collections import Counter
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING

from sqlalchemy import select

from yuqing.db.models import OPEN_STATUSES, Deadline, Event, Mention, Response
from yuqing.demo.corpus import Post
from yuqing.demo.history.plan import CST, NOISE_PREFIX, issue

if TYPE_CHECKING:
    from yuqing.demo.history.simulation import Simulation
    from yuqing.ingest import IngestResult


# (username, role, office, display name): officers of the offices without a live demo account
HISTORY_USERS = [
    ("dangzheng", "office", "dzb", "镇党政办 刘洋"),
    ("jingji", "office", "jjfw", "经济发展综合服务中心 周涛"),
    ("nongke", "office", "nkzx", "农业科技推广服务中心 杨帆"),
    ("guotan", "office", "cwh-guotan", "郭滩村村委会 马永福"),
    ("jinsha", "office", "cwh-jinsha", "金沙村村委会 田秀英"),
]
OFFICE_ACTORS = {"msfw": "minsheng", "zzwb": "anquan", **{office: user for user, _, office, _ in HISTORY_USERS}}
# how often an office is late with a stage (its accountability figures differ because of this)
LATE_SHARE = {
    "dzb": 0.03,
    "zzwb": 0.04,
    "msfw": 0.07,
    "jjfw": 0.12,
    "nkzx": 0.22,
    "cwh-guotan": 0.45,
    "cwh-jinsha": 0.15,
}
DUTY_LATE = (0.02, 0.08)  # day shift, night (00:00-07:00)
PRESS_LATE = 0.6  # a press conference after a serious matter is the stage most often late
MAX_SPLITS = 12  # the duty officers split only so many of the events the clustering joined wrongly
FALSE_ALARM_REASONS = {
    "false_alarm": ("经核实,所述情况发生在外镇,与本镇无关", "经核实,信息与本镇政务无关,不属于舆情事件"),
    "no_action": ("属政策咨询,已在平台答复,无需处置", "群众已自行解决,经电话回访无需处置"),
}
RESPONSE_CHANNELS = ("镇长信箱答复", "电话回访", "政务微博“东园镇发布”", "村务公开栏")


class Officers:
    """The simulated officers acting through the real workflow functions: the duty desk assesses each new event
    (folding a repeat into the first, marking false alarms, splitting off strays), the offices answer their stages
    and close, late as often as each office is (LATE_SHARE). They know the matter each post was written for."""

    def __init__(self, sim: Simulation):
        self.sim = sim
        self.app, self.settings, self.rng, self.end, self.stats = sim.app, sim.settings, sim.rng, sim.end, sim.stats
        self.known: set[int] = set()
        self.issue_of: dict[int, str] = {}  # mention id -> the matter (issue) its post was written for
        self.serious: dict[int, int] = {}  # mention id -> the level an emergency's post was written for

    def seen(self, result: IngestResult, post: Post, now: datetime) -> None:
        """A post was ingested: note its matter; a new event goes to the duty desk, and an emergency's post joining
        an event already assessed has it re-assessed."""
        if result.mention_id is not None:
            self.issue_of.setdefault(result.mention_id, issue(post))
            if post.emergency:
                self.serious[result.mention_id] = post.urgency
        if result.event_id is not None and result.event_id not in self.known:
            self.known.add(result.event_id)
            self._detected(result.event_id, now)
        elif result.event_id is not None and post.emergency and result.status == "new":
            delay = timedelta(minutes=self.rng.uniform(10, 40))
            self.sim.at(now + delay, partial(self.reassess, result.event_id, post.urgency), "assess")

    def reassess(self, event_id: int, level: int, now: datetime) -> None:
        """An emergency's post joined an event already assessed at a milder level: the duty officer re-assesses."""
        from yuqing.workflow.actions import assess_event

        with self.app.db.write() as session:
            event = session.get(Event, event_id)
            if event is None or event.status not in OPEN_STATUSES or event.assessed_at is None:
                return
            if level >= event.urgency or event.office_code is None:
                return
            comment = "经核实已造成人员死亡,按重大突发事件处置" if level <= 2 else "经核实为突发事件,按较大事件处置"
            assess_event(
                session,
                self.settings,
                event.id,
                self._duty(now),
                event.topic,
                level,
                event.office_code,
                comment,
                now=now,
            )
            self.stats.actions["reassess"] += 1
            stages = [(row.stage, row.starts_at, row.due_at) for row in _open(session, event.id)]
            office = event.office_code
        self.sim.dirty = True
        self._plan_responses(event_id, office, stages, now)

    def _duty(self, now: datetime) -> str:
        hour = now.astimezone(CST).hour
        return "zhiban" if 8 <= hour < 18 else "zhiban2"

    def _late(self, share: float, now: datetime) -> bool:
        return now < self.end - timedelta(hours=10) and self.rng.random() < share

    def _detected(self, event_id: int, now: datetime) -> None:
        from yuqing.workflow.deadlines import budgets

        with self.app.db.read() as session:
            event = session.get(Event, event_id)
            level = event.urgency if event is not None else 4
        budget = budgets(self.settings, level)["assess"]
        night = now.astimezone(CST).hour < 7
        factor = self.rng.uniform(1.1, 2.5) if self._late(DUTY_LATE[night], now) else self.rng.uniform(0.1, 0.85)
        self.sim.at(now + budget * factor, partial(self.assess, event_id), "assess")

    def assess(self, event_id: int, now: datetime) -> None:
        from yuqing.workflow.actions import assess_event, mark_false_alarm, merge_into

        actor, settings, rng = self._duty(now), self.settings, self.rng
        with self.app.db.write() as session:
            event = session.get(Event, event_id)
            if event is None or event.status not in OPEN_STATUSES or event.assessed_at is not None:
                return
            mentions = list(
                session.scalars(select(Mention.id).where(Mention.event_id == event.id).order_by(Mention.id))
            )
            issues = [self.issue_of.get(m, "") for m in mentions]
            # the same matter raised again while the first is still being handled: fold it into the first
            earlier = self._earlier_event(session, event, set(issues))
            if earlier is not None and rng.random() < 0.8:
                merge_into(session, settings, event.id, actor, earlier, "同一诉求重复反映,并入原事件办理", now=now)
                self.stats.actions["merge"] += 1
                self.sim.dirty = True
                return
            if all(i.startswith(NOISE_PREFIX) for i in issues):
                reason = rng.choice(FALSE_ALARM_REASONS["false_alarm"])
                mark_false_alarm(session, settings, event.id, actor, reason, "false_alarm", now)
                self.stats.actions["false_alarm"] += 1
                self.sim.dirty = True
                return
            if event.urgency == 4 and rng.random() < 0.08:
                reason = rng.choice(FALSE_ALARM_REASONS["no_action"])
                mark_false_alarm(session, settings, event.id, actor, reason, "no_action", now)
                self.stats.actions["no_action"] += 1
                self.sim.dirty = True
                return
            self._split_strays(session, event, actor, now)
            office = event.office_code or next(o.code for o in settings.offices if o.lead)
            comment = ""
            if rng.random() < 0.05:
                others = [o.code for o in settings.offices if o.code != office]
                office = rng.choice(others)
                comment = "经核实属于该单位职责,改由其承办"
            level = event.urgency
            known = min((self.serious[m] for m in mentions if m in self.serious), default=4)
            if known < level:  # the officer knows of the deaths: a serious emergency, whatever the wording
                level = known
                comment = "经核实已造成人员死亡,按重大突发事件处置" if known <= 2 else "经核实为突发事件,按较大事件处置"
            elif level == 4 and rng.random() < 0.04:
                level, comment = 3, "涉及群众较多,上调为较大"
            assess_event(session, settings, event.id, actor, event.topic, level, office, comment, now=now)
            self.stats.actions["assess"] += 1
            stages = [(row.stage, row.starts_at, row.due_at) for row in _open(session, event.id)]
        self.sim.dirty = True
        self._plan_responses(event_id, office, stages, now)

    def _plan_responses(self, event_id: int, office: str, stages: list, now: datetime) -> None:
        """When the office will answer each open stage (on time, or late as often as that office is)."""
        rng = self.rng
        for stage, starts, due in stages:
            if stage == "assess":
                continue
            late_share = PRESS_LATE if stage == "press" else LATE_SHARE.get(office, 0.1)
            factor = rng.uniform(1.05, 1.8) if self._late(late_share, now) else rng.uniform(0.15, 0.9)
            when = max(now + timedelta(minutes=10), starts + (due - starts) * factor)
            self.sim.at(when, partial(self.respond, event_id, stage), "respond")

    def _split_strays(self, session, event: Event, actor: str, now: datetime) -> None:
        """Posts about another matter that the clustering put into this event: split them off (拆分)."""
        from yuqing.workflow.split import split_event

        mentions = list(session.scalars(select(Mention.id).where(Mention.event_id == event.id).order_by(Mention.id)))
        issues = [self.issue_of.get(m, "") for m in mentions]
        counts = Counter(issues)
        if len(counts) < 2 or self.stats.actions["split"] >= MAX_SPLITS:
            return
        stray = min(counts, key=lambda key: (counts[key], key))
        chosen = [m for m, i in zip(mentions, issues) if i == stray]
        new = split_event(session, self.settings, event.id, actor, chosen, "该帖反映的是另一项诉求,单独办理", now)
        self.stats.actions["split"] += 1
        self._detected_later(new.id, now)

    def _earlier_event(self, session, event: Event, issues: set[str]) -> int | None:
        """An open event detected before this one about one of the same matters, if any."""
        if not issues - {""}:
            return None
        candidates = session.execute(
            select(Event.id, Mention.id)
            .join(Mention, Mention.event_id == Event.id)
            .where(
                Event.id != event.id,
                Event.status.in_(OPEN_STATUSES),
                Event.detected_at < event.detected_at,
                Event.detected_at >= event.detected_at - timedelta(days=30),
            )
            .order_by(Event.detected_at)
        )
        for event_id, mention_id in candidates:
            if self.issue_of.get(mention_id) in issues:
                return event_id
        return None

    def _detected_later(self, event_id: int, now: datetime) -> None:
        self.known.add(event_id)
        self._detected(event_id, now)

    def respond(self, event_id: int, stage: str, now: datetime) -> None:
        from yuqing.workflow.actions import confirm_response, record_response, reject_response

        rng, settings = self.rng, self.settings
        with self.app.db.write() as session:
            event = session.get(Event, event_id)
            if event is None or event.status not in OPEN_STATUSES:
                return
            if not any(row.stage == stage for row in _open(session, event.id)):
                return
            actor = OFFICE_ACTORS.get(event.office_code or "", "dangzheng")
            self._split_strays(session, event, self._duty(now), now)  # noticed while answering
            proposed = session.scalar(
                select(Response.id).where(
                    Response.event_id == event.id, Response.status == "proposed", Response.stage == stage
                )
            )
            if proposed is not None and rng.random() < 0.9:
                confirm_response(session, settings, event.id, actor, proposed, "核实为本单位发布的回应", now=now)
                self.stats.actions["confirm"] += 1
            else:
                if proposed is not None:
                    reject_response(
                        session, settings, event.id, actor, proposed, "该内容未回应群众诉求,不予认定", now=now
                    )
                    self.stats.actions["reject"] += 1
                channel, content = _response_text(stage, event.title, rng)
                published = now - timedelta(minutes=rng.uniform(0, 20))
                record_response(session, settings, event.id, actor, stage, channel, None, content, published, now=now)
                self.stats.actions["respond"] += 1
            status = event.status
        self.sim.dirty = True
        if status == "responded":
            self.sim.at(now + timedelta(hours=rng.uniform(4, 96)), partial(self.close, event_id), "close")

    def close(self, event_id: int, now: datetime) -> None:
        from yuqing.workflow.actions import close_event

        with self.app.db.write() as session:
            event = session.get(Event, event_id)
            if event is None or event.status != "responded" or _open(session, event.id):
                return
            actor = OFFICE_ACTORS.get(event.office_code or "", "dangzheng")
            close_event(session, self.settings, event.id, actor, "群众诉求已答复,事项办结", now=now)
            self.stats.actions["close"] += 1
        self.sim.dirty = True


def _open(session, event_id: int) -> list[Deadline]:
    from yuqing.workflow.deadlines import open_deadlines

    return open_deadlines(session, event_id)


def _response_text(stage: str, title: str, rng: random.Random) -> tuple[str, str]:
    short = title[:30]
    if stage == "publish":
        return (
            "政务微博“东园镇发布”",
            f"发布情况通报:关于“{short}”,镇政府已启动应急预案,现场处置有序进行,后续情况将及时发布。",
        )
    if stage == "press":
        return "新闻发布会", f"召开新闻发布会,通报“{short}”的基本情况、救援和善后进展及下一步整改措施,并回答记者提问。"
    channel = rng.choice(RESPONSE_CHANNELS)
    return channel, f"针对群众反映的“{short}”,承办单位已实地核实并答复群众,说明了处理措施和办理时限。"
