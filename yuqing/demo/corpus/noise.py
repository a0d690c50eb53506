"""Irrelevant posts: other places, adverts, chit-chat — no 东园/沙坡头 region words, or an exclusion word."""

from .model import api, bbs, news, spec


def _noise(key: str, topic: str, d):
    return spec(key, topic, 4, d, relevant=False)


SPECS = [
    _noise(
        "hotpot",
        "other",
        bbs(
            "银川哪家火锅好吃?周末带家里人去",
            "周末想带爸妈去银川转转,求推荐一家味道正宗、不太贵的火锅店,最好在兴庆区,停车方便的。",
        ),
    ),
    _noise("zaocha", "other", api("吴忠早茶打卡", "来吴忠必吃的早茶,羊肉臊子面、手抓羊肉、烩小吃,一早上吃撑了😋")),
    _noise(
        "used-ebike",
        "other",
        bbs("出售二手电动车,九成新", "去年买的电动车,骑了不到半年,续航六十公里,带两块电池,价格面议,有意者私聊。"),
    ),
    _noise(
        "fapiao",
        "other",
        bbs("中卫代开发票,正规可查", "专业代开各类发票,增值税普票专票均可,中卫本地当面交易,电话{phone}。广告,勿回。"),
    ),
    _noise(
        "guyuan-trees",
        "environment",
        news(
            "固原市原州区开展春季义务植树活动",
            "近日,固原市原州区组织干部群众两千余人开展春季义务植树活动,"
            "共栽植云杉、山桃等苗木三万余株,持续巩固退耕还林成果。",
        ),
    ),
    _noise(
        "shizuishan-lights",
        "urban",
        api("大武口的路灯终于换成LED了", "石嘴山大武口区的老路灯全换成LED了,晚上亮堂多了,点赞👍"),
    ),
    _noise(
        "gouqi-price",
        "commerce",
        bbs("{town2}那边今年枸杞干果什么价?", "想收一批枸杞干果,有没有种植户报个价?要头茬的,量大。"),
    ),
    _noise(
        "yinchuan-water",
        "urban",
        news(
            "银川市兴庆区部分小区计划停水通知",
            "因供水管网改造施工,银川市兴庆区部分小区将于本周六8时至20时停水,请居民提前储水。",
        ),
    ),
    _noise("celebrity", "other", api("某顶流明星官宣恋情", "热搜又爆了,吃瓜吃到凌晨两点🍉 你们怎么看?")),
    _noise("kaoyan", "other", bbs("求推荐考研数学资料", "二战考研,数学一,求推荐靠谱的复习资料和网课,谢谢各位。")),
    _noise(
        "job-ad",
        "employment",
        bbs(
            "招聘启事:中卫某物流公司招聘货车司机", "招聘A2驾照货车司机5名,月薪八千至一万,包食宿,有意者电话联系{phone}。"
        ),
    ),
    _noise(
        "wuzhong-crash",
        "transport",
        api("吴忠利通区一路口两车相撞", "今天下午利通区一个路口两辆小车相撞,好在没人受伤,路过的注意绕行。"),
    ),
    _noise(
        "autumn-harvest",
        "other",
        news("全国秋粮收获进度过八成", "农业农村部农情调度显示,全国秋粮已收获八成以上,各地抢抓晴好天气加快收获晾晒。"),
    ),
    _noise(
        "driving-school", "other", bbs("{town2}附近有没有靠谱的驾校", "想考个C1,{town2}附近的驾校哪家教练耐心、拿证快?")
    ),
    _noise("sunset", "other", api("今天的晚霞太美了", "下班路上拍的晚霞,整个天都是粉色的🌅🌅")),
    _noise("lamian", "other", bbs("兰州牛肉面哪家最正宗", "出差去兰州,本地朋友说不要去网红店,求推荐老字号。")),
]
