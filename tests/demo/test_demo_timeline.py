"""The timeline releases posts and replies over time (injected clock), scales with speed, can publish on demand."""

from datetime import timedelta

from yuqing.demo.timeline import FakeClock, Timeline


def make(speed=1.0, **kw):
    clock = FakeClock()
    return clock, Timeline(clock=clock, speed=speed, **kw)


def test_backlog_at_start_then_posts_every_few_seconds():
    clock, tl = make()
    backlog = tl.published()
    assert 40 <= len(backlog) <= 110
    assert all(e.at < tl.start for e in backlog)
    counts = []
    for _ in range(12):
        clock.advance(10)
        counts.append(len(tl.published()))
    gains = [b - a for a, b in zip([len(backlog)] + counts, counts)]
    assert sum(gains) >= 12 and max(gains) <= 15  # several posts per 10 s, never a flood
    assert sum(1 for g in gains if g > 0) >= 9


def test_emergencies_appear_early_and_spread_across_channels():
    clock, tl = make()
    clock.advance(120)
    urgent = [e for e in tl.published() if e.post.urgency == 1]
    assert urgent and min(e.at for e in urgent) <= tl.start + timedelta(seconds=60)
    clock.advance(480)
    explosion = [e for e in tl.published() if e.post.matter == "explosion"]
    assert {e.channel for e in explosion} == {"bbs", "api", "news", "weibo", "board"}
    assert all(e.origin is explosion[0] for e in explosion)


def test_speed_scales_live_time():
    clock1, slow = make(speed=1.0)
    clock2, fast = make(speed=4.0)
    clock1.advance(200)
    clock2.advance(50)
    assert [e.post.id for e in slow.published()] == [e.post.id for e in fast.published()]


def test_replies_appear_after_their_time():
    clock, tl = make()
    clock.advance(900)
    board = tl.published("board")
    replied = [e for e in board if e.reply_at and e.reply_at > tl.start]
    assert replied, "some replies land during the live demo"
    e = replied[0]
    assert not e.replied(e.reply_at - timedelta(seconds=1)) and e.replied(e.reply_at)
    assert e.reply_at > e.at
    text = e.reply_text
    assert "{ymd}" not in text and f"{(e.reply_at + timedelta(hours=8)).day}日" in text
    assert any(x.reply_at is None for x in board), "some messages stay unanswered"


def test_filler_keeps_posts_coming_after_authored_ones():
    clock, tl = make()
    clock.advance(3 * 3600)
    pub = tl.published()
    fillers = [e for e in pub if e.post.matter.startswith("filler-")]
    assert len(fillers) > 500
    assert len({e.num for e in pub if e.channel == "bbs"}) == len([e for e in pub if e.channel == "bbs"])
    assert all(e.post.topic and e.post.urgency in (3, 4) for e in fillers)


def test_no_filler_when_disabled():
    clock, tl = make(filler=False)
    clock.advance(3 * 3600)
    assert len(tl.published()) == len(tl.corpus.posts)


def test_publish_now_and_reply_now():
    clock, tl = make()
    before = len(tl.published("bbs"))
    released = tl.publish_now(3, channel="bbs")
    assert len(released) == 3 and all(e.at == clock() for e in released)
    assert len(tl.published("bbs")) == before + 3
    assert tl.get("bbs", released[0].num) is released[0]
    clock.advance(1)
    pending = [e for e in tl.published("board") if e.reply_at and e.reply_at > clock()]
    if pending:
        done = tl.reply_now(1)
        assert done and done[0].replied(clock())


def test_future_posts_are_not_visible():
    clock, tl = make()
    future = [e for e in tl.scheduled() if e.at > clock()]
    assert future
    assert tl.get(future[0].channel, future[0].num) is None


def test_deterministic_schedule():
    _, a = make()
    _, b = make()
    assert [(e.post.id, e.at, e.reply_at, e.num) for e in a.scheduled()] == [
        (e.post.id, e.at, e.reply_at, e.num) for e in b.scheduled()
    ]
