"""Chinese word segmentation with jieba, configured once: quiet, its cache in a writable folder."""

from __future__ import annotations

import tempfile
import threading
import unicodedata
from pathlib import Path

# Function words and fillers that say nothing about a topic (hand-written).
STOP_WORDS = frozenset(
    [
        "的",
        "了",
        "是",
        "在",
        "有",
        "和",
        "与",
        "及",
        "或",
        "就",
        "都",
        "也",
        "还",
        "又",
        "而",
        "但",
        "并",
        "把",
        "被",
        "让",
        "给",
        "对",
        "向",
        "从",
        "到",
        "于",
        "以",
        "为",
        "之",
        "其",
        "这",
        "那",
        "哪",
        "些",
        "个",
        "位",
        "种",
        "我",
        "你",
        "他",
        "她",
        "它",
        "我们",
        "你们",
        "他们",
        "她们",
        "咱们",
        "自己",
        "大家",
        "您",
        "本人",
        "人家",
        "别人",
        "什么",
        "怎么",
        "怎样",
        "如何",
        "为什么",
        "多少",
        "几",
        "谁",
        "吗",
        "呢",
        "吧",
        "啊",
        "呀",
        "哦",
        "嘛",
        "么",
        "啦",
        "哈",
        "嗯",
        "喔",
        "哟",
        "呗",
        "罢了",
        "而已",
        "一个",
        "一些",
        "一下",
        "一直",
        "已经",
        "正在",
        "曾经",
        "将",
        "会",
        "能",
        "可以",
        "可能",
        "应该",
        "需要",
        "要",
        "想",
        "得",
        "地",
        "着",
        "过",
        "来",
        "去",
        "上",
        "下",
        "里",
        "中",
        "内",
        "外",
        "前",
        "后",
        "左",
        "右",
        "没",
        "没有",
        "不",
        "不是",
        "不会",
        "不能",
        "非常",
        "十分",
        "特别",
        "比较",
        "很",
        "太",
        "最",
        "更",
        "越",
        "所以",
        "因为",
        "因此",
        "如果",
        "虽然",
        "但是",
        "然而",
        "而且",
        "并且",
        "或者",
        "还是",
        "以及",
        "然后",
        "于是",
        "同时",
        "另外",
        "此外",
        "例如",
        "比如",
        "关于",
        "对于",
        "根据",
        "按照",
        "通过",
        "这个",
        "那个",
        "这样",
        "那样",
        "这些",
        "那些",
        "这里",
        "那里",
        "这么",
        "那么",
        "这种",
        "那种",
        "现在",
        "目前",
        "当时",
        "今天",
        "昨天",
        "明天",
        "今年",
        "去年",
        "每天",
        "时候",
        "时间",
        "请",
        "请问",
        "您好",
        "你好",
        "谢谢",
        "感谢",
        "尊敬",
        "领导",
        "希望",
        "问题",
        "情况",
        "事情",
        "有关",
        "相关",
        "部门",
        "反映",
        "进行",
        "表示",
        "认为",
        "觉得",
        "知道",
        "看到",
        "发现",
        "出现",
    ]
)

_lock = threading.Lock()
_configured = False


def default_cache_dir() -> Path:
    """Where jieba keeps its dictionary cache: ~/.cache/yuqing, or the temp folder when home is not writable."""
    home = Path.home() / ".cache" / "yuqing"
    try:
        home.mkdir(parents=True, exist_ok=True)
        probe = home / ".write-test"
        probe.touch()
        probe.unlink()
        return home
    except OSError:
        return Path(tempfile.gettempdir())


def configure(cache_dir: Path | None = None) -> None:
    """Silence jieba and point its cache at a writable folder; later calls do nothing."""
    global _configured
    with _lock:
        if _configured:
            return
        import jieba

        jieba.setLogLevel(60)
        jieba.dt.tmp_dir = str(cache_dir or default_cache_dir())
        _configured = True


def cut(text: str) -> list[str]:
    """jieba's precise-mode segmentation of the text."""
    configure()
    import jieba

    return jieba.lcut(text)


def _is_content(token: str) -> bool:
    if not token.strip() or token in STOP_WORDS:
        return False
    return any(unicodedata.category(char)[0] in "LN" for char in token)


def content_words(text: str) -> list[str]:
    """Segmented words without whitespace, punctuation and stop words (how the training data is prepared)."""
    return [token for token in cut(text) if _is_content(token)]


def split_segmented(text: str) -> list[str]:
    """Words of an already segmented, space-separated text, filtered like `content_words`."""
    return [token for token in text.split() if _is_content(token)]
