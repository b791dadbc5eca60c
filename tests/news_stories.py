"""Short news stories written for the tests (town, music, farming, a second town story on the bridge's
topic, a fire story on the drought's, and a story with a feature lead), and longer versions of two."""

BRIDGE = [
    "The city council of Riverton approved the new Harbor Bridge on Tuesday after a two-year debate.",
    "The bridge will cross the Mill River between the old port and the northern districts.",
    "Council member Ana Ortiz said the bridge would cut the morning commute by twenty minutes.",
    "Ortiz said construction of the bridge would start in March and last three years.",
    "Engineers from the Riverton transport office will inspect the river banks next month.",
    "The bridge is expected to carry thirty thousand cars and two thousand cyclists a day.",
    "Residents of the port district asked the council to add a footpath to the bridge.",
]
ORCHESTRA = [
    "The Lakeside Youth Orchestra won first prize at the national music festival in Vienna on Saturday.",
    "The orchestra played a symphony by Dvorak and a new piece by its conductor, Malik Osei.",
    "Osei said the young musicians had rehearsed every weekend since September.",
    "The jury praised the violins and the brass section for their precise playing.",
    "The prize includes a concert tour of four European cities next summer.",
    "Parents of the musicians raised money for the trip to Vienna with a bake sale.",
    "Osei said the orchestra would record its festival program as an album in the spring.",
]
DROUGHT = [
    "Farmers in the Dry Valley region are facing the worst drought in forty years, officials said on Monday.",
    "Rainfall in the valley has been a third of the normal level since January.",
    "Wheat and barley harvests are expected to fall by half, the regional farm agency said.",
    "Agency director Lena Brandt said wells in several villages had run dry.",
    "Brandt said trucks would deliver water to the villages twice a week.",
    "The government promised emergency loans to farmers who lost their crops.",
    "Meteorologists expect little rain in the valley before the autumn.",
]
HOUSING = [  # the same town and council as BRIDGE: one topic, another story
    "The Riverton city council voted on Thursday to build six hundred homes on the site of the old brewery.",
    "The homes will be sold below market prices to young families and nurses.",
    "The brewery site was bought from a shipping company that moved its offices abroad.",
    "Builders will be chosen by the end of the year, the mayor's office said.",
    "Neighbours asked the council for a park and a playground between the new homes.",
    "The first families could move in within two years.",
    "The council will hold a public hearing on the housing plan next month.",
]
VALLEY_FIRE = [  # the drought's valley, dry grass and wells: one topic with DROUGHT, another story
    "A grass fire burned two thousand hectares of farmland near the town of Westford on Sunday night.",
    "Firefighters from four towns fought the flames until the wind dropped before dawn.",
    "Fire chief Tom Keller said the dry grass had burned faster than any fire he had seen.",
    "Two barns and a tractor were lost, but no one was hurt, Keller said.",
    "Police closed the road to Westford for six hours while the fire crossed it.",
    "Villagers said their wells were too low to help the firefighters.",
    "Westford lies at the edge of the Dry Valley, where the drought has left the grass brittle.",
]

LONGER_BRIDGE = BRIDGE + [
    "The bridge will have four lanes for cars and a separate lane for buses.",
    "Ortiz said the bridge would be lit with lamps powered by solar panels.",
    "The council expects the Harbor Bridge to open to traffic in the summer of the third year.",
    "A toll for trucks on the bridge will pay for its upkeep, the transport office said.",
]
LONGER_DROUGHT = DROUGHT + [
    "Brandt said the agency would pay farmers to dig deeper wells in the valley.",
    "Some farmers in the Dry Valley have sold their cattle because the pastures are bare.",
    "The drought has also lowered the level of the valley reservoir to a record low.",
    "Officials asked residents of the valley to water their gardens only at night.",
]

SUBWAY_BRIEF = ["本市地铁三号线将于下月延长运营时间。", "工作日末班车推迟到晚上十一点半。", "地铁公司表示此举方便夜间下班的乘客。"]
MUSEUM_BRIEF = ["省博物馆新展厅周六正式对外开放。", "展厅陈列了两百多件出土青铜器。", "馆长介绍说，参观新展厅需要提前在网上预约。"]
HARVEST_BRIEF = ["南方多地早稻进入收割高峰。", "农业部门预计今年水稻产量与去年持平。", "部分农户已开始使用无人机喷洒农药。"]

NIGHT_MARKET = [  # a feature lead: the news is in the second sentence
    "On a cold evening last week, a cook named Maria Chen unfolded a table by the harbour and lit a small stove.",
    "Riverton opened its first night market on Friday, with forty food stalls along the old port.",
    "The night market will run every Friday and Saturday until the end of October, the port authority said.",
    "Stall holders pay a small fee to the port authority, which also provides lights and tables.",
    "Chen said her soup sold out within two hours on the first night.",
]
