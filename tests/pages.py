"""Page-like test articles written by the team: short news stories pasted with their page furniture.

Each article is a list of (kind, line) pairs: kind ``story`` is a paragraph of the story, any
other kind is furniture of that kind (headline, kicker, dateline, timestamp, counter, byline,
label, caption, related, share, subscribe, copyright). Every article but the digests is written
lead-first: its first story sentence is the one a reader needs most.
"""

from __future__ import annotations

from dataclasses import dataclass

FURNITURE_KINDS = (
    "headline", "kicker", "dateline", "timestamp", "counter", "byline", "label", "caption", "related", "share",
    "subscribe", "copyright",
)


@dataclass(frozen=True)
class PageArticle:
    name: str
    lang: str
    lines: tuple[tuple[str, str], ...]
    lead_first: bool = True
    separator: str = "\n\n"

    @property
    def text(self) -> str:
        return self.separator.join(line for _, line in self.lines)

    @property
    def furniture(self) -> list[str]:
        return [line for kind, line in self.lines if kind != "story"]

    @property
    def story(self) -> list[str]:
        return [line for kind, line in self.lines if kind == "story"]


def _article(name: str, lang: str, *lines: tuple[str, str], lead_first: bool = True, separator: str = "\n\n") -> PageArticle:
    return PageArticle(name, lang, tuple(lines), lead_first, separator)


ARTICLES = [
    _article(
        "bridge", "en",
        ("kicker", "Metro Desk | Harbour Bridge Reopens After Repairs"),
        ("timestamp", "2024-05-02 09:14:2203:11 1288"),
        ("label", "EP07: Metro Desk | Harbour Bridge reopens"),
        ("story", "On Monday the Harbour Bridge reopened to traffic after eight months of repairs to its steel deck. "
                  "Engineers replaced more than four hundred corroded plates and repainted the towers."),
        ("caption", "Photo: Cars cross the Harbour Bridge on its first morning back in service."),
        ("story", "The closure had forced commuters onto ferries and a long detour through the eastern tunnel. "
                  "Ferry operators said their morning boats were full for most of the winter."),
        ("story", "City officials said the repairs came in under budget and should keep the bridge safe for thirty years. "
                  "A second, smaller round of work on the approach roads will start in the autumn."),
        ("related", "Related: Ferry fares to rise in July"),
        ("share", "Share this article on social media"),
        ("copyright", "© 2024 Harbour City Daily. All rights reserved."),
    ),
    _article(
        "library", "en",
        ("headline", "New central library opens its doors"),
        ("byline", "By Maria Lopez and Tom Reid"),
        ("dateline", "RIVERTON, March 14"),
        ("story", "Riverton's new central library opened on Saturday with shelves for half a million books and a rooftop reading garden. "
                  "More than six thousand people visited on the first day."),
        ("story", "The building replaces a library that flooded twice in ten years. "
                  "Its ground floor now stands two metres above the old street level."),
        ("caption", "Pictured: Children in the new reading garden on opening day"),
        ("story", "Librarians said the most borrowed book of the day was a guide to local birds. "
                  "The library will stay open until nine in the evening on weekdays."),
        ("subscribe", "Subscribe to our weekly newsletter for more city news."),
        ("counter", "3,412 views · 27 comments"),
    ),
    _article(
        "storm", "en",
        ("kicker", "WEATHER"),
        ("headline", "Storm cuts power to thousands along the coast"),
        ("timestamp", "Updated 07:45 GMT, 9 November 2024"),
        ("story", "A storm with winds of up to 120 kilometres an hour cut power to forty thousand homes along the coast overnight. "
                  "Repair crews worked through the night to restore lines."),
        ("story", "The weather service said the storm would weaken as it moved inland on Sunday. "
                  "Schools in three coastal towns will stay closed on Monday."),
        ("caption", "Image: A fallen tree blocks the coast road near Port Ellis."),
        ("story", "Officials asked residents to stay away from fallen power lines and to report damage by phone."),
        ("related", "Read more: How to prepare your home for winter storms"),
        ("copyright", "Copyright 2024 Coastal News Network"),
    ),
    _article(
        "election", "en",
        ("label", "Vol 12: Local Politics"),
        ("headline", "Greens win control of the county council"),
        ("byline", "By Ahmed Khan, Political Correspondent"),
        ("story", "The Green Party won control of the county council for the first time on Friday, taking twenty-six of the forty-five seats. "
                  "Turnout was the highest in two decades."),
        ("story", "The party campaigned on cheaper buses and new cycle lanes. "
                  "Its leader said the first budget would double spending on rural bus routes."),
        ("story", "The outgoing leader conceded defeat and said his party would hold the new council to its promises."),
        ("share", "Share on Facebook | Share on X"),
        ("related", "See also: Full results ward by ward"),
    ),
    _article(
        "museum", "en",
        ("headline", "Stolen painting returned to museum after forty years"),
        ("timestamp", "May 3, 2024 10:02 am"),
        ("story", "A landscape painting stolen from the city museum in 1984 has been returned after a collector recognised it at an auction. "
                  "The museum said the painting was in good condition."),
        ("caption", "Photo by Jin Park: The returned painting in the museum's conservation room"),
        ("story", "Police said no one would be charged because the collector had bought the painting in good faith. "
                  "The museum plans to show it again next spring."),
        ("subscribe", "Sign up for breaking news alerts"),
        ("copyright", "(c) 2024 Riverton Herald"),
    ),
    _article(
        "marathon", "en",
        ("kicker", "Sport | Athletics"),
        ("headline", "Local runner wins the city marathon"),
        ("byline", "Written by Sam Okafor"),
        ("story", "Local runner Grace Mwangi won the city marathon on Sunday in two hours and twenty-four minutes, a course record. "
                  "She pulled away from the leading group after thirty kilometres."),
        ("story", "About twelve thousand runners took part, and organisers raised more than a million dollars for the children's hospital."),
        ("story", "Mwangi said she trained on the same streets every morning before work. "
                  "She plans to run in the national championships in the autumn."),
        ("counter", "Posted 2 hours ago · 5 min read"),
        ("related", "More: Photos from the finish line"),
    ),
    _article(
        "factory", "en",
        ("headline", "Car parts factory to close with the loss of 300 jobs"),
        ("dateline", "MILLBROOK, June 21"),
        ("story", "A car parts factory in Millbrook will close at the end of the year, with the loss of three hundred jobs, its owner said on Thursday. "
                  "The company blamed falling orders from carmakers."),
        ("story", "Union leaders said they would ask the company to keep part of the plant open. "
                  "The town's mayor called the news a heavy blow."),
        ("caption", "Watch: Workers leave the factory after the announcement"),
        ("story", "The factory has made brake parts in the town since 1962."),
        ("share", "Follow us on social media for updates"),
        ("copyright", "All rights reserved. Millbrook Times 2024."),
    ),
    _article(
        "vaccine", "en",
        ("headline", "Free flu shots for all adults this winter"),
        ("byline", "Reporting by Lena Fischer; Editing by Paul Grant"),
        ("story", "Every adult will be offered a free flu vaccine this winter, the health ministry said on Tuesday. "
                  "Until now only people over sixty-five and those with some illnesses qualified."),
        ("story", "Pharmacies will give the shots from the first week of October. "
                  "The ministry expects about nine million people to take up the offer."),
        ("story", "Doctors welcomed the plan but warned that pharmacies would need more staff."),
        ("related", "Recommended: What to know about this year's flu season"),
        ("counter", "1.2k shares"),
    ),
    _article(
        "quotes-en", "en",
        ("headline", "Mayor promises faster bus lanes"),
        ("story", "The mayor promised on Wednesday to finish three new bus lanes before the end of the year. "
                  "“We will build them quickly. We will build them well,” she told reporters at City Hall."),
        ("story", "Bus companies said the lanes would cut journey times by a quarter. "
                  "Shop owners on Main Street worried about losing parking spaces."),
        ("copyright", "© Riverton Herald"),
    ),
    _article(
        "school", "en",
        ("label", "EP12: Education Weekly"),
        ("headline", "School meals to be free for all pupils"),
        ("story", "All primary school pupils in the region will get free school meals from September, the regional government announced. "
                  "The plan will cost about forty million dollars a year."),
        ("story", "Head teachers said the meals would help families struggling with rising food prices. "
                  "Some schools will need new kitchens before the plan starts."),
        ("subscribe", "Download our app to get stories like this first"),
        ("timestamp", "14:05 12/06/2024"),
    ),
    _article(
        "bridge-zh", "zh",
        ("kicker", "城市新闻 | 海港大桥维修后重新开放"),
        ("timestamp", "2024-05-02 09:14 阅读 1288"),
        ("label", "第7期：城市观察"),
        ("story", "周一，海港大桥在经过八个月的维修后重新通车。工程人员更换了四百多块锈蚀的钢板，并重新粉刷了桥塔。"),
        ("caption", "图为周一早上车辆驶过海港大桥。"),
        ("story", "大桥封闭期间，通勤者只能改乘渡轮或绕行东部隧道。渡轮公司说，整个冬天早班船几乎都坐满了。"),
        ("story", "市政府官员表示，维修费用低于预算，大桥今后三十年都可以安全使用。"),
        ("related", "相关阅读：渡轮票价七月起上调"),
        ("copyright", "版权所有，未经授权禁止转载。"),
    ),
    _article(
        "library-zh", "zh",
        ("headline", "新中央图书馆开馆"),
        ("byline", "记者：王小明"),
        ("story", "河畔市新中央图书馆周六开馆，馆内可容纳五十万册图书，还有一个屋顶阅读花园。开馆首日有六千多人前来参观。"),
        ("story", "新馆取代了十年内两次被淹的旧图书馆。新馆一楼比原来的街面高出两米。"),
        ("caption", "图片：开馆当天，孩子们在屋顶花园看书"),
        ("story", "馆员说，当天借出最多的书是一本本地鸟类图鉴。图书馆工作日开放到晚上九点。"),
        ("share", "扫码关注我们，获取更多城市新闻"),
        ("counter", "浏览 3412 次  评论 27"),
    ),
    _article(
        "storm-zh", "zh",
        ("headline", "风暴导致沿海数万户停电"),
        ("timestamp", "发布时间：2024年11月9日 07:45"),
        ("story", "一场风速高达每小时120公里的风暴周六夜间袭击沿海地区，造成四万户居民停电。抢修人员连夜工作，恢复供电线路。"),
        ("story", "气象部门说，风暴周日向内陆移动后会减弱。三个沿海城镇的学校周一继续停课。"),
        ("caption", "（图）一棵倒下的大树挡住了沿海公路"),
        ("story", "官员提醒居民远离倒下的电线，并通过电话报告受损情况。"),
        ("subscribe", "订阅我们的新闻简报"),
        ("copyright", "本文版权所有，转载请注明出处。"),
    ),
    _article(
        "election-zh", "zh",
        ("label", "第12期：地方政治"),
        ("headline", "绿党首次赢得县议会控制权"),
        ("byline", "本报记者 李华 报道"),
        ("story", "绿党周五首次赢得县议会控制权，在四十五个席位中获得二十六席。投票率为二十年来最高。"),
        ("story", "该党在竞选中承诺降低公交票价、修建自行车道。党领袖说，第一份预算将把农村公交线路的支出增加一倍。"),
        ("story", "即将卸任的议会领袖承认败选，并表示他的党将监督新议会兑现承诺。"),
        ("share", "分享到：微信 | 微博"),
        ("related", "延伸阅读：各选区完整结果"),
    ),
    _article(
        "museum-zh", "zh",
        ("headline", "被盗画作四十年后回到博物馆"),
        ("timestamp", "2024-05-03 10:02"),
        ("story", "一幅1984年从市博物馆被盗的风景画，在一位收藏家于拍卖会上认出它之后，终于回到了博物馆。博物馆说，画作保存状况良好。"),
        ("caption", "图为修复室里的这幅画。（新华社记者 张伟 摄）"),
        ("story", "警方表示，由于收藏家是善意购买，不会有人被起诉。博物馆计划明年春天重新展出这幅画。"),
        ("related", "推荐阅读：十大失而复得的艺术品"),
        ("copyright", "未经许可，不得转载。"),
    ),
    _article(
        "marathon-zh", "zh",
        ("kicker", "体育｜田径"),
        ("headline", "本地选手赢得城市马拉松冠军"),
        ("byline", "文/赵强"),
        ("story", "本地选手格蕾丝周日以2小时24分的成绩赢得城市马拉松冠军，并打破赛道纪录。她在三十公里后甩开了领先集团。"),
        ("story", "约一万二千名选手参赛，组委会为儿童医院筹得一百多万元善款。"),
        ("story", "她说，自己每天上班前都在这些街道上训练。她计划参加秋季的全国锦标赛。"),
        ("counter", "2小时前 · 阅读 5万"),
        ("share", "点击右上角分享给朋友"),
    ),
    _article(
        "factory-zh", "zh",
        ("headline", "汽车零部件厂将关闭 三百人失业"),
        ("dateline", "米尔布鲁克6月21日电"),
        ("story", "米尔布鲁克一家汽车零部件厂将于年底关闭，三百人将失去工作，工厂所有者周四表示。公司将原因归于汽车厂商订单下降。"),
        ("story", "工会领导人说，他们将要求公司保留部分生产线。镇长称这一消息是沉重的打击。"),
        ("caption", "视频：宣布消息后工人离开工厂"),
        ("story", "这家工厂自1962年起就在镇上生产刹车零件。"),
        ("subscribe", "欢迎关注本报公众号"),
        ("copyright", "© 2024 米尔布鲁克时报"),
    ),
    _article(
        "quotes-zh", "zh",
        ("headline", "市长承诺年底前建成公交专用道"),
        ("story", "市长周三表示，三条新的公交专用道将在年底前完工。她对记者说道：“目前我们保持按兵不动。我们会在秋天开工。”"),
        ("story", "公交公司说，专用道可以把行程时间缩短四分之一。主街的店主们则担心会失去停车位。"),
        ("story", "一位店主说：「我们支持公交，但也需要顾客能停车。」市政府表示会再听取意见。"),
        ("copyright", "版权所有 河畔日报"),
    ),
    _article(
        "school-zh", "zh",
        ("label", "第12集：教育周刊"),
        ("headline", "全体小学生将享受免费午餐"),
        ("story", "地区政府宣布，从九月起，本地区所有小学生都将享受免费午餐。这项计划每年花费约四千万元。"),
        ("story", "校长们说，免费午餐将帮助受食品涨价影响的家庭。一些学校需要先建新厨房。"),
        ("share", "长按识别二维码，关注更多教育资讯"),
        ("timestamp", "14:05 2024/06/12"),
    ),
    _article(
        "vaccine-zh", "zh",
        ("headline", "今冬所有成年人可免费接种流感疫苗"),
        ("byline", "责任编辑：陈静"),
        ("story", "卫生部周二表示，今年冬天所有成年人都可以免费接种流感疫苗。此前只有六十五岁以上老人和部分患者符合条件。"),
        ("story", "药店将从十月第一周开始接种。卫生部预计约九百万人会接种。"),
        ("story", "医生们欢迎这项计划，但提醒药店需要增加人手。"),
        ("related", "相关新闻：今年流感季你需要知道的事"),
        ("counter", "阅读 1.2万  点赞 356"),
    ),
    _article(
        "single-newlines", "en",
        ("headline", "Council approves new cycle lanes"),
        ("byline", "By Jane Smith"),
        ("timestamp", "12 March 2024, 16:40"),
        ("story", "The city council approved twelve kilometres of new cycle lanes on Tuesday, the largest expansion in the city's history. "
                  "Work will begin in April."),
        ("story", "Cycling groups welcomed the vote. Some drivers' groups said the lanes would slow traffic in the centre."),
        ("related", "Related: Where the new lanes will go"),
        separator="\n",
    ),
]

DIGESTS = [
    _article(
        "digest-en", "en",
        ("story", "Riverton's new central library opened on Saturday with shelves for half a million books. "
                  "More than six thousand people visited on the first day. "
                  "The library replaces a building that flooded twice in ten years."),
        ("story", "A storm cut power to forty thousand homes along the coast overnight. "
                  "Repair crews worked through the night to restore the lines."),
        ("story", "Local runner Grace Mwangi won the city marathon on Sunday in a course record time. "
                  "About twelve thousand runners took part in the race."),
        lead_first=False,
    ),
    _article(
        "digest-zh", "zh",
        ("headline", "今日要闻"),
        ("story", "河畔市新中央图书馆周六开馆，馆内可容纳五十万册图书。开馆首日有六千多人前来参观。新馆取代了十年内两次被淹的旧图书馆。"),
        ("headline", "风暴导致沿海停电"),
        ("story", "一场风暴周六夜间袭击沿海地区，造成四万户居民停电。抢修人员连夜工作。"),
        ("headline", "马拉松刷新纪录"),
        ("story", "本地选手周日赢得城市马拉松冠军，并打破赛道纪录。约一万二千名选手参赛。"),
        lead_first=False,
    ),
]
