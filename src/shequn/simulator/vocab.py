"""Word banks: names, places, jobs and the topics groups gather around.

Every list here is written for the simulator; none comes from a data set.
"""

from __future__ import annotations

from dataclasses import dataclass

ZH_SURNAMES = (
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱",
    "胡", "郭", "何", "林", "罗", "高", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯",
    "邓", "曹", "彭", "曾", "肖", "田", "董", "潘", "袁", "蔡", "蒋", "余",
)
ZH_GIVEN = (
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "洋", "艳", "勇", "军", "杰", "娟",
    "涛", "明", "超", "秀英", "霞", "平", "刚", "桂英", "晨", "欣怡", "子涵", "梓萱",
    "浩然", "雨桐", "宇轩", "思远", "佳琪", "一诺", "俊杰", "嘉怡", "晓峰", "文博",
    "婷婷", "露", "琳", "鹏", "雪", "慧", "建华", "丹", "晴", "悦", "诗涵", "博文",
)
ZH_NICK_WORDS = (
    "向日葵", "快乐的鱼", "晨曦", "小确幸", "柠檬不酸", "追风少年", "微笑", "岁月静好",
    "大橘为重", "阳光", "星星", "半糖", "一只猫", "秋天的风", "听雨", "简单", "木子",
    "蓝天白云", "小太阳", "奶茶三分糖", "知足常乐", "清风", "花开", "慢慢来", "麦兜",
)
ZH_NICK_DECOR = ("", "", "", "🌸", "🍀", "🌙", "☀️", "🌈", "💫", "~")
ZH_NICK_ROLES = ("妈妈", "爸爸", "姐", "哥", "老师", "")

EN_FEMALE = (
    "Emma", "Olivia", "Sophia", "Mia", "Chloe", "Grace", "Lily", "Hannah", "Zoe", "Ella",
    "Amelia", "Nora", "Ruby", "Isla", "Alice", "Priya", "Mei", "Sara", "Leah", "Anna",
)
EN_MALE = (
    "Liam", "Noah", "Oliver", "James", "Lucas", "Ethan", "Jack", "Henry", "Leo", "Daniel",
    "Samuel", "Ryan", "Adam", "Omar", "Ben", "Tom", "Max", "Arjun", "Kenji", "David",
)
EN_LAST = (
    "Smith", "Johnson", "Brown", "Taylor", "Wilson", "Davies", "Evans", "Walker", "Wright",
    "Green", "Hall", "Wood", "Clarke", "Lee", "Chen", "Wong", "Patel", "Khan", "Singh",
    "Nguyen", "Garcia", "Martin", "Murphy", "Kelly", "Cohen", "Rossi", "Müller", "Silva",
)

ZH_CITIES = (
    ("深圳", 9), ("上海", 10), ("北京", 9), ("杭州", 7), ("成都", 7), ("广州", 8),
    ("武汉", 5), ("南京", 5), ("西安", 4), ("重庆", 5), ("苏州", 4), ("长沙", 4),
    ("天津", 3), ("郑州", 3), ("厦门", 2), ("青岛", 2), ("合肥", 2), ("昆明", 2),
    ("宁波", 2), ("东莞", 2), ("佛山", 2), ("大连", 1), ("沈阳", 1), ("福州", 1),
)
EN_CITIES = (
    ("London", 6), ("New York", 6), ("Singapore", 5), ("Sydney", 4), ("Toronto", 4),
    ("San Francisco", 3), ("Los Angeles", 3), ("Vancouver", 3), ("Manchester", 2),
    ("Berlin", 2), ("Kuala Lumpur", 3), ("Melbourne", 3), ("Dublin", 1), ("Hong Kong", 3),
    ("Auckland", 1), ("Chicago", 2), ("Seattle", 2), ("Bangalore", 2),
)
ZH_JOBS = (
    ("教师", 6), ("程序员", 6), ("设计师", 4), ("销售", 6), ("会计", 4), ("护士", 3),
    ("自由职业", 5), ("学生", 8), ("全职妈妈", 6), ("公务员", 3), ("店主", 4), ("工程师", 5),
    ("医生", 2), ("律师", 1), ("产品经理", 3), ("外卖骑手", 2), ("行政", 3), ("退休", 3),
    ("摄影师", 1), ("健身教练", 1),
)
EN_JOBS = (
    ("teacher", 5), ("software engineer", 6), ("designer", 4), ("nurse", 3), ("student", 8),
    ("accountant", 3), ("shop owner", 3), ("freelancer", 5), ("marketing manager", 3),
    ("retired", 3), ("sales", 4), ("doctor", 1), ("lawyer", 1), ("barista", 2),
    ("stay-at-home parent", 4), ("engineer", 4), ("photographer", 1), ("researcher", 2),
)
AGE_BANDS = (("18-24", 20), ("25-34", 36), ("35-44", 25), ("45-54", 12), ("55+", 7))

SOURCE_CHANNELS = (
    ("live-stream", 18), ("poster", 14), ("referral", 20), ("store", 12),
    ("ads", 16), ("organic", 20),
)
"""Acquisition channels and their shares; referral members get an inviter."""
SOURCE_CHANNEL_LABELS = {
    "live-stream": "直播", "poster": "海报", "referral": "转介绍", "store": "门店",
    "ads": "广告投放", "organic": "自然流量",
}
"""Chinese label of each acquisition channel, as operators write it."""
JOIN_VIA = {
    "live-stream": "link", "poster": "qr_code", "referral": "invite", "store": "qr_code",
    "ads": "link", "organic": "request",
}
"""How a member of each channel typically enters a group."""

EMOJIS = (
    "😂", "👍", "🙏", "❤️", "🌹", "😊", "🤣", "💪", "🎉", "👏", "😄", "🥰", "😭", "🤔",
    "👌", "✨", "🔥", "💯", "😅", "🙌",
)

ZH_GROUP_KINDS = {
    "membership": ("会员群", "VIP群", "会员福利群"),
    "activity": ("打卡群", "活动群", "挑战群"),
    "fission": ("福利群", "宠粉群", "拼团群"),
    "lecture": ("学习群", "课堂", "训练营"),
    "exchange": ("交流群", "互助群", "同好群"),
    "promotion": ("秒杀群", "特惠群", "福利群"),
}
EN_GROUP_KINDS = {
    "membership": ("VIP Members", "Insiders", "Club"),
    "activity": ("Challenge", "Daily Check-in", "Meetup"),
    "fission": ("Giveaways", "Friends & Perks", "Invite Club"),
    "lecture": ("Academy", "Study Group", "Bootcamp"),
    "exchange": ("Community", "Chat", "Circle"),
    "promotion": ("Deals", "Flash Sales", "Offers"),
}


@dataclass(frozen=True, slots=True)
class Topic:
    """An interest a group gathers around, with its words and products in both languages."""

    key: str
    zh: str
    en: str
    female_share: float
    zh_nouns: tuple[str, ...]
    en_nouns: tuple[str, ...]
    zh_products: tuple[tuple[str, int], ...]
    en_products: tuple[tuple[str, int], ...]


TOPICS = (
    Topic(
        "moms", "宝妈", "parenting", 0.9,
        ("奶粉", "尿不湿", "辅食", "早教", "幼儿园", "湿疹", "夜奶", "绘本", "疫苗", "断奶"),
        ("formula", "nappies", "weaning", "nursery", "sleep training", "teething",
         "picture books", "vaccines"),
        (("婴儿湿巾", 49), ("有机奶粉", 268), ("儿童绘本套装", 89), ("宝宝辅食机", 329),
         ("儿童保温杯", 79)),
        (("baby wipes", 12), ("organic formula", 38), ("picture book set", 25),
         ("sleep sack", 30)),
    ),
    Topic(
        "cats", "猫", "cats", 0.65,
        ("猫粮", "猫砂", "驱虫", "绝育", "逗猫棒", "猫抓板", "罐头", "掉毛", "呕吐", "疫苗"),
        ("cat food", "litter", "flea treatment", "scratching post", "hairballs",
         "wet food", "vet visit"),
        (("冻干猫粮 2kg", 159), ("豆腐猫砂", 39), ("猫抓板", 29), ("主食罐头 24罐", 188),
         ("宠物烘干箱", 899)),
        (("freeze-dried cat food", 35), ("tofu litter", 14), ("cat tree", 80),
         ("wet food 24 pack", 42)),
    ),
    Topic(
        "photography", "摄影", "photography", 0.4,
        ("镜头", "光圈", "后期", "调色", "三脚架", "人像", "扫街", "快门", "滤镜", "胶片"),
        ("lens", "aperture", "editing", "colour grading", "tripod", "portraits",
         "street photography", "film"),
        (("相机双肩包", 299), ("ND滤镜", 159), ("碳纤维三脚架", 599), ("调色预设包", 19),
         ("人像摄影课", 399)),
        (("camera backpack", 90), ("ND filter", 45), ("carbon tripod", 160),
         ("preset pack", 9), ("portrait course", 120)),
    ),
    Topic(
        "fitness", "健身", "fitness", 0.45,
        ("蛋白粉", "深蹲", "体脂", "减脂餐", "卧推", "拉伸", "有氧", "增肌", "私教", "腹肌"),
        ("protein", "squats", "body fat", "meal prep", "bench press", "stretching",
         "cardio", "personal trainer"),
        (("乳清蛋白粉", 299), ("瑜伽垫", 69), ("弹力带套装", 49), ("减脂代餐", 129),
         ("健身月卡", 399)),
        (("whey protein", 45), ("yoga mat", 25), ("resistance bands", 18),
         ("gym membership", 60)),
    ),
    Topic(
        "reading", "读书", "books", 0.6,
        ("书单", "小说", "读书笔记", "电子书", "历史", "心理学", "读后感", "作者"),
        ("reading list", "novel", "book notes", "ebook", "history", "psychology", "author"),
        (("年度好书礼盒", 199), ("电子书会员", 25), ("读书笔记本", 39), ("精装套装", 268)),
        (("book box", 35), ("ebook subscription", 10), ("reading journal", 15)),
    ),
    Topic(
        "beauty", "美妆", "beauty", 0.92,
        ("粉底", "口红", "防晒", "精华", "面膜", "卸妆", "色号", "敏感肌", "眼影"),
        ("foundation", "lipstick", "sunscreen", "serum", "sheet masks", "skincare routine",
         "sensitive skin"),
        (("防晒霜", 129), ("修护精华", 399), ("面膜 10片", 99), ("口红礼盒", 299),
         ("卸妆油", 168)),
        (("sunscreen", 22), ("repair serum", 48), ("sheet masks", 18), ("lipstick set", 40)),
    ),
    Topic(
        "coffee", "咖啡", "coffee", 0.5,
        ("手冲", "豆子", "拿铁", "磨豆机", "烘焙度", "冷萃", "拉花", "挂耳"),
        ("pour-over", "beans", "latte", "grinder", "roast", "cold brew", "latte art"),
        (("精品咖啡豆 454g", 128), ("挂耳咖啡 30包", 89), ("手冲壶", 199), ("磨豆机", 499)),
        (("single-origin beans", 18), ("drip bags", 15), ("gooseneck kettle", 45),
         ("burr grinder", 120)),
    ),
    Topic(
        "outdoor", "户外", "hiking", 0.4,
        ("徒步", "露营", "冲锋衣", "帐篷", "登山杖", "路线", "天气", "睡袋"),
        ("hiking", "camping", "rain jacket", "tent", "trekking poles", "trail", "sleeping bag"),
        (("冲锋衣", 699), ("双人帐篷", 459), ("登山杖", 129), ("露营灯", 89)),
        (("rain jacket", 150), ("two-person tent", 180), ("trekking poles", 45),
         ("camp lantern", 25)),
    ),
    Topic(
        "gadgets", "数码", "gadgets", 0.3,
        ("手机", "耳机", "平板", "充电宝", "键盘", "续航", "系统更新", "屏幕"),
        ("phone", "earbuds", "tablet", "power bank", "keyboard", "battery life", "update"),
        (("降噪耳机", 899), ("快充充电宝", 149), ("机械键盘", 399), ("平板保护壳", 59)),
        (("noise-cancelling earbuds", 150), ("power bank", 35), ("mechanical keyboard", 90)),
    ),
    Topic(
        "baking", "烘焙", "baking", 0.75,
        ("面粉", "烤箱", "戚风", "酵母", "黄油", "奶油", "模具", "发酵"),
        ("flour", "oven", "sourdough", "yeast", "butter", "frosting", "cake tin"),
        (("烘焙工具套装", 159), ("进口黄油", 69), ("空气炸锅", 399), ("蛋糕模具", 45)),
        (("baking tool set", 40), ("stand mixer", 280), ("cake tins", 20)),
    ),
    Topic(
        "running", "跑步", "running", 0.45,
        ("配速", "跑鞋", "半马", "心率", "膝盖", "晨跑", "夜跑", "装备"),
        ("pace", "running shoes", "half marathon", "heart rate", "knees", "long run"),
        (("跑鞋", 699), ("运动手表", 1299), ("跑步腰包", 59), ("速干衣", 129)),
        (("running shoes", 130), ("sports watch", 250), ("running belt", 20)),
    ),
    Topic(
        "coding", "编程", "coding", 0.25,
        ("Python", "报错", "面试", "算法", "数据库", "前端", "接口", "部署"),
        ("Python", "bug", "interview", "algorithms", "database", "frontend", "deployment"),
        (("Python 实战课", 299), ("算法刷题营", 199), ("云服务器", 99)),
        (("Python course", 60), ("interview prep", 45), ("cloud credits", 20)),
    ),
    Topic(
        "travel", "旅行", "travel", 0.6,
        ("机票", "酒店", "签证", "攻略", "自驾", "民宿", "景点", "行李"),
        ("flights", "hotels", "visa", "itinerary", "road trip", "luggage"),
        (("旅行收纳袋", 59), ("拉杆箱", 399), ("周边游套餐", 899)),
        (("packing cubes", 25), ("carry-on suitcase", 120), ("weekend package", 300)),
    ),
    Topic(
        "english", "英语学习", "language learning", 0.6,
        ("单词", "口语", "雅思", "听力", "语法", "外教", "打卡", "作文"),
        ("vocabulary", "speaking", "IELTS", "listening", "grammar", "tutor", "writing"),
        (("口语陪练课", 399), ("单词书", 49), ("雅思冲刺营", 1299)),
        (("speaking lessons", 80), ("vocab app", 10), ("IELTS bootcamp", 200)),
    ),
)
"""Interests shared by members, one per group theme of talk."""
