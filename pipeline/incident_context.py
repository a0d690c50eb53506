"""Whether a severity word or a casualty figure stands in a report of an incident, or in something else: a fear,
a question, a policy text, a court report, a story, a memory, a simile or a far-away place.

Citizens' letters name disasters to make a point ("万一起火爆炸谁负责", "难道要等死了人才管吗"), news names them
in court reports and anniversaries, and none of that is an incident to handle now. Each occurrence is judged by
its sentence: `NOT_INCIDENT` contexts do not count at all, `MENTION` contexts name an incident that is not
happening here and now (it may be worth a look, level 3 at most), everything else is an incident report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from pipeline.keywords import KeywordIndex

INCIDENT, MENTION, NOT_INCIDENT = "incident", "mention", "none"
CONTEXT_NAMES = {
    "negated": "否定",
    "hypothetical": "假设或担忧",
    "simile": "比喻",
    "fiction": "影视文艺或体育",
    "policy": "政策或统计",
    "animal": "动植物",
    "question": "疑问",
    "historical": "往事",
    "judicial": "案件办理",
    "aftermath": "事后追责或赔偿",
    "far_away": "境外",
    "denied": "已辟谣",
    "habitual": "经常发生的情况",
}
# Contexts that name a past or recurring situation, not an incident to handle now (no hazard kind is read from them).
NOT_NOW = frozenset({"historical", "habitual"})

_SENTENCE_END = re.compile(r"[。！？!?；;\n]|……")
_CLAUSE_END = re.compile(r"[。！？!?；;\n，,：:]|……")
# Right before the word: a negation ("未发生", "防止"), or a fear / a condition a few characters back.
_NEGATED_BEFORE = re.compile(
    r"(?:防止|预防|防范|避免|杜绝|严防|谨防|无|未|没有|未发生|未造成|不会|防|不要|不能|不致|免于|以免|不再)"
    r"(?:发生|再次发生|出现|酿成|造成|引发|人员|任何|人|更大|重大|重特大|恶性)?(?:的)?$"
)
# A condition or a fear anywhere earlier in the sentence ("如果楼体坍塌……就有300多人死亡").
_CONDITIONAL = re.compile(
    r"万一|一旦|如果|假如|假设|倘若|若是|要是|如若|如发生|若发生|试想|设想|想象|难道|等到|非得等|真要等|不要等|"
    r"以免|以防|担心|担忧|害怕|生怕|恐怕|唯恐|后怕|谁(?:来)?负责|谁(?:来)?承担|谁担责|预防|防止|防范|避免|杜绝|谨防|严防"
)
# A risk in the same clause ("极易引发火灾", "存在坍塌隐患", "险些酿成").
_RISK = re.compile(
    r"容易|极易|易引发|易造成|易导致|可能|随时|迟早|势必|必将|必然会|将会|就会|会(?:发生|引发|造成|导致|出现|酿成|被|"
    r"有|再|把|让)|说不定|难免|不排除|预计|才(?:会|能|有人|重视|管)|隐患|风险|威胁|危及|后果不堪设想|不堪设想|险些|差点|"
    r"差一点|幸好没|所幸没|好在没|未遂|险酿|险些酿成|会立即|会直接|可致|可导致|可引起|能致|面临|濒临|有.{0,2}危险"
)
_HYPOTHETICAL_AFTER = re.compile(r"^(?:的|等)?(?:安全)?(?:风险|隐患|危险|可能|威胁|之忧|苗头|事故隐患|怎么办|谁负责)")
# “就像一个巨大的爆炸场声响”: a comparison (好像 alone is hearsay, “好像是化工厂炸了”, not a comparison).
_SIMILE_STRONG = re.compile(r"(?:(?<!好)像|就好像|如同|犹如|仿佛|宛如|好比|相当于|相当一)[^，。！？,.!?；;]{0,8}$")
_SIMILE_BEFORE = re.compile(r"(?:跟|和|与)[^，。！？,.!?；;]{0,8}$")
_SIMILE_AFTER = re.compile(r"^[^，。！？,.!?；;]{0,4}?(?:一样|似的|一般|般的)")
_FICTION = re.compile(
    r"剧情|电视剧|网剧|连续剧|剧中|影片中|电影中|电影《|剧《|小说中|小说《|游戏中|综艺|上映|票房|主演|饰演|漫画|动画片|"
    r"歌曲|演唱会|比赛|赛季|球队|决赛|半决赛|总决赛|小组赛|夺冠|联赛|季后赛|NBA|CBA|世界杯|锦标赛|球员|比分"
)
_POLICY = re.compile(
    r"安全生产月|宣传|培训|演练|演习|知识|讲座|应急预案|预案|排查|整治|专项|座谈|督导|督查|考核|条例|制度|机制|措施|"
    r"指南|倡议|提醒|温馨提示|据统计|统计|数据显示|报告显示|近年来|每年|年均|发生率|死亡率|致死率|概率|法规|政策|"
    r"共报告|报告病例|法定传染病|同比|环比"
)
_ANIMAL_BEFORE = re.compile(
    r"(?:鱼|虾|蟹|蜂|蜜蜂|猪|鸡|鸭|鹅|牛|羊|狗|犬|猫|鸟|禽|畜|牲畜|家禽|树|树木|苗|苗木|庄稼|作物|农作物|花草|植物|"
    r"草坪|秧苗|蚕|兔)[^，。！？,.!?；;]{0,6}$"
)
# Signs that a sentence reports something that happened, which a policy word in it does not undo
# ("地震发生后，消防立即启动预案开展排查").
_HAPPENED = re.compile(
    r"发生了?|突发|遭遇|造成|导致|已致|致使|当场|现场|赶赴|救援|抢救|送医|送往医院|伤亡|\d+时|\d+点|凌晨|今天|今日|"
    r"昨天|昨日|昨晚|今晨|今早|刚刚|刚才|目前"
)
# “网传‘死亡二十余人’系谣言”: a rumour that the sentence itself denies.
_HEARSAY = re.compile(r"网传|传言|传闻|据传|谣传|有人称|网上说|流传")
_DENIAL = re.compile(r"谣言|不实|辟谣|假消息|虚假信息|并非|不属实|造谣")
# “每到暴雨，街上的水有一米高”: a recurring problem that a letter complains about, not an incident today.
_HABITUAL = re.compile(r"每到|每逢|每当|每次|一到|一下雨|一下大雨|经常|常常|总是|时常|动不动|屡次|多次发生|频发")
_QUESTION = re.compile(r"[?？]|吗|是否|为何|为什么|怎么办|会不会|能否|能不能|岂不|何时|凭什么")
_HISTORICAL = re.compile(
    r"(?:\d+|[一二三四五六七八九十几数多两]+)年前|多年前|早几年|前几年|那几年|曾经|曾(?:发生|出现|有过|经历)|当年|"
    r"历史上|上世纪|往年|去年|前年|昔日|从前|以前|过去(?:的|曾)|此前(?:的|曾)|周年|纪念|祭奠|悼念|缅怀|追悼|"
    r"19\d\d年|抗日|抗战|解放前|建国前|革命烈士|英烈"
)
_JUDICIAL = re.compile(
    r"破获|侦破|告破|抓获|落网|归案|批捕|批准逮捕|逮捕|判处|判决|宣判|获刑|提起公诉|公诉|审理|开庭|一审|二审|终审|"
    r"执行死刑|潜逃|在逃|追逃|通缉|悬赏|检察院|法院|犯罪团伙|诈骗|传销|贩毒|案件|案中|投案|自首"
)
_AFTERMATH = re.compile(
    r"事故原因|原因(?:查明|曝光|公布)|调查报告|调查结果|追责|问责|赔偿|理赔|赔付|索赔|拒赔|定责|担责|全责|主责|次责|"
    r"保险公司|车险|召回|善后|重建"
)
_FOREIGN_CUE = re.compile(r"当地时间|外媒|境外|海外|飓风")


@lru_cache(maxsize=1)
def _foreign_places() -> KeywordIndex:
    """Countries and regions abroad (hand-written list in lexicons/foreign.txt)."""
    from pipeline.lexicons import LEXICON_DIR

    words = []
    for line in (LEXICON_DIR / "foreign.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0]
        words += line.split()
    return KeywordIndex((word, None) for word in words)


@dataclass(frozen=True)
class Judgement:
    """INCIDENT, MENTION or NOT_INCIDENT, and why (a key of CONTEXT_NAMES, None for an incident)."""

    verdict: str
    why: str | None = None

    @property
    def label(self) -> str:
        """The reason in Chinese (empty for an incident)."""
        return CONTEXT_NAMES.get(self.why or "", "")


_INCIDENT = Judgement(INCIDENT)


def _bounds(text: str, start: int, end: int, pattern: re.Pattern) -> tuple[int, int]:
    """Start and end of the sentence (or clause) around [start, end)."""
    left = 0
    for match in pattern.finditer(text, max(0, start - 200), start):
        left = match.end()
    right_match = pattern.search(text, end)
    right = right_match.end() if right_match else len(text)
    return left, right


class IncidentContext:
    """Judges occurrences in one text; the text's far-away cue is computed once."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._abroad: bool | None = None

    def abroad(self) -> bool:
        """The text reports from abroad: a foreign place or a cue like 当地时间, and no place at home named first."""
        if self._abroad is None:
            self._abroad = bool(_FOREIGN_CUE.search(self.text) or _foreign_places().longest_matches(self.text[:120]))
        return self._abroad

    def judge(self, start: int, end: int) -> Judgement:
        """How the occurrence text[start:end] stands."""
        text = self.text
        left, right = _bounds(text, start, end, _SENTENCE_END)
        before, after = text[left:start], text[end:right]
        if _NEGATED_BEFORE.search(before[-8:]):
            return Judgement(NOT_INCIDENT, "negated")
        clause_left, clause_right = _bounds(text, start, end, _CLAUSE_END)
        if (
            _CONDITIONAL.search(before)
            or _RISK.search(text[max(left, clause_left) : start])
            or _HYPOTHETICAL_AFTER.match(after)
        ):
            return Judgement(NOT_INCIDENT, "hypothetical")
        if _SIMILE_STRONG.search(before) or (_SIMILE_BEFORE.search(before) and _SIMILE_AFTER.match(after)):
            return Judgement(NOT_INCIDENT, "simile")
        if _ANIMAL_BEFORE.search(before):
            return Judgement(NOT_INCIDENT, "animal")
        sentence = text[left:right]
        if _DENIAL.search(sentence) and _HEARSAY.search(text[clause_left:clause_right] + before[-12:]):
            return Judgement(NOT_INCIDENT, "denied")
        if _FICTION.search(sentence):
            return Judgement(NOT_INCIDENT, "fiction")
        if _POLICY.search(sentence) and not _HAPPENED.search(sentence):
            return Judgement(NOT_INCIDENT, "policy")
        if _HABITUAL.search(text[max(left, clause_left - 12) : end]):
            return Judgement(MENTION, "habitual")
        if _QUESTION.search(text[clause_left:clause_right]) or _QUESTION.search(after[-3:]):
            return Judgement(MENTION, "question")
        if _HISTORICAL.search(sentence):
            return Judgement(MENTION, "historical")
        if _JUDICIAL.search(sentence):
            return Judgement(MENTION, "judicial")
        if _AFTERMATH.search(sentence):
            return Judgement(MENTION, "aftermath")
        if self.abroad():
            return Judgement(MENTION, "far_away")
        return _INCIDENT
