"""Hand-written example messages the shipped default model is trained on.

Written for this project (no external corpus): typical adverts and spam of
Chinese and English chat groups, and ordinary member talk that shares words
with them (prices, times, room numbers, group chatter about WeChat or QQ), so
the model learns that those alone are not spam.
"""

from __future__ import annotations

from shequn.moderation.classifier.datasets import LabelledText

SPAM_ZH: tuple[str, ...] = (
    "加我微信 abc8899 领取免费资料",
    "兼职刷单，日赚300-500，有意私聊",
    "真人荷官在线发牌，首充送100%彩金，注册就送",
    "百家乐稳赢计划群，进群带你上岸",
    "急用钱的看过来，黑户可下款，不看征信，秒到账",
    "信用卡套现、花呗提现，费率低，秒回款",
    "同城约，上门服务，学生妹兼职，加薇 mm5201314",
    "深夜福利，小黄片资源群，私聊获取",
    "出售微信号、QQ号，实名号批发，量大从优",
    "收银行卡四件套，高价回收，日结",
    "专业代发广告，精准粉引流，一手资源",
    "全网最低价VPN机场节点，稳定翻墙，月付10元",
    "代开发票，各行业都可以开，联系扣扣 2837461920",
    "内幕消息！明天必涨停的牛股，老师带单免费进群",
    "虚拟币投资，保本高收益，一个月翻倍",
    "厂家直销，一件代发，微商招代理，零门槛",
    "高仿名牌包包，A货原单，支持验货",
    "🐧 1919 5505 59 进群领红包",
    "ｖｘ：ｋｋ６６８８ 看我朋友圈",
    "企鹅群八三二五四八七七五，免费看片",
    "薇信 ghhmdzz 深夜陪聊",
    "𝐰𝐞𝐢𝐱𝐢𝐧: 𝐬𝐩𝐚𝐦𝟏𝟐𝟑 优惠多多",
    "飞机 @cheap_vip888 全网最低价",
    "１３８ ００１３ ８０００ 联系我，包下款",
    "点击链接领取888元红包 http://hongbao.vip/abc",
    "博彩平台注册送38元，t.me/bcvip88",
    "跑分平台招人，日入过千，不限时间地点",
    "接码平台，各种软件注册验证码，价格美丽",
    "查开房记录、手机定位，三网查询，社工库",
    "帮忙砍一刀！拼多多助力，点这个链接",
    "日赚5百+私聊，带你赚钱",
    "看名字加我，有惊喜",
    "美女主播裸聊，一对一视频，加V详聊",
    "招聘打字员，在家也能做，日结工资，加我咨询",
    "优惠券领取，淘宝天猫内部券，加群免费领",
    "澳门首家线上赌场，体育投注，足球推单群",
    "低价代充会员，爱奇艺腾讯优酷，加微 vip9527",
    "出飞机号，防封，会员呺",
    "有需要贷款的吗，无抵押，额度高，利息低",
    "【广告代发】频道群组上粉，联系 @ads_bot",
)

SPAM_EN: tuple[str, ...] = (
    "Congratulations! You have won a $1000 gift card. Click here to claim your prize now",
    "URGENT: your account is suspended, verify your account at http://secure-login.top",
    "Earn $500 per day working from home, no experience needed, DM me",
    "Hot singles in your area want to meet you tonight, sign up free",
    "Crypto signals group, 100% profit guaranteed, join t.me/pumpsignals",
    "Free spins and a 200% deposit bonus at the best online casino, bet now",
    "Need a quick loan? Bad credit OK, instant approval, call +44 7911 123456",
    "Buy followers cheap! 10k Instagram followers for $5, promo code FAST",
    "Double your money in 7 days with our forex investment opportunity",
    "WINNER!! As a valued customer you have been selected to receive a prize. Text CLAIM to 80082",
    "Limited time offer: free shipping on all replica watches, order now",
    "Add me on whatsapp +1 415 555 2671 for business opportunity",
    "Sexy cam girls waiting for you, 18+ only, click the link in my bio",
    "Get paid to chat online, $30 an hour, contact me on telegram @easyjob",
    "You've won a free iPhone! Reply YES to claim, txt STOP to opt out",
    "Cheap VPN accounts for sale, lifetime access, dm for price",
    "Airdrop live now, claim your free tokens before they run out: claim-airdrop.xyz",
    "Payday loan approved in minutes, no credit check, apply today",
    "Act now! Guaranteed profit trading bot, join our vip group",
    "Wholesale price designer bags, discount code SALE50, free shipping",
)

HAM_ZH: tuple[str, ...] = (
    "我家猫今天好可爱",
    "大家早上好，今天天气不错",
    "今晚的直播几点开始？",
    "这个课程还有回放吗",
    "我刚下单了，¥199 还挺划算的",
    "明天下午三点在 1208 会议室开会",
    "谁知道怎么把微信聊天记录迁移到新手机？",
    "QQ音乐最近好多歌都没版权了",
    "群里有人用过这款扫地机器人吗",
    "周末一起去爬山吧，天气预报说是晴天",
    "感谢群主分享，学到了很多",
    "打卡第七天，继续坚持",
    "老师讲得太好了，收藏了",
    "我在深圳，有没有同城的小伙伴",
    "孩子的作业终于写完了，累死我了",
    "这个问题我也遇到过，重启一下就好了",
    "哈哈哈哈笑死我了",
    "晚上吃什么好呢，好纠结",
    "有人知道这本书在哪里能买到吗",
    "我觉得第二个方案更好一些",
    "刚看完世界杯，梅西太强了",
    "明天几点集合？我可能会晚到十分钟",
    "这个月的房贷又要还了，压力好大",
    "新手请教一下，Python 怎么安装第三方库",
    "我的订单还没发货，客服说再等两天",
    "今天的分享会很精彩，期待下一期",
    "谢谢大家的生日祝福❤️",
    "下雨了，出门记得带伞",
    "群里的资料在哪里下载呀",
    "这家店的奶茶真的好喝，推荐",
    "我用的是小米手机，拍照效果还可以",
    "请问这周的作业截止时间是什么时候",
    "刚加入，请多关照",
    "稍微等我一下，马上到",
    "微软又更新了，电脑重启了好几次",
    "这个价格有点贵，等双十一再买",
    "上次说的那家火锅店在哪里来着",
    "加油加油，大家都是最棒的",
    "视频我已经发到群相册了",
    "有没有人一起拼车去机场，明早七点",
)

HAM_EN: tuple[str, ...] = (
    "meeting at 3pm, room 1208",
    "Good morning everyone, have a great day",
    "Does anyone know when the next workshop starts?",
    "Thanks for sharing, this was really helpful",
    "I just ordered the blue one, it was $19.99 on sale",
    "Can someone send me the slides from yesterday?",
    "Running late, will be there in 10 minutes",
    "Happy birthday Anna! Hope you have a great one",
    "What time does the library close on Sundays?",
    "I think the second option makes more sense",
    "Lol that video was hilarious",
    "Did you finish the homework for Monday?",
    "Let's meet at the cafe near the station",
    "My phone died, I'll call you back later",
    "Welcome to the group, glad to have you here",
    "Is the team dinner still on for Friday?",
    "I love my WeChat group, everyone is so nice",
    "The new update broke my laptop's wifi again",
    "Great game last night, what a finish",
    "Please remember to check in before 9am tomorrow",
)


def seed_rows() -> list[LabelledText]:
    """All hand-written examples as labelled rows (spam first, then ham)."""
    spam = [LabelledText(t, True) for t in (*SPAM_ZH, *SPAM_EN)]
    ham = [LabelledText(t, False) for t in (*HAM_ZH, *HAM_EN)]
    return spam + ham
