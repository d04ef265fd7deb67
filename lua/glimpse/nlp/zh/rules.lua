--- Curated vocabularies for Chinese entity extraction.
--
-- The jieba dictionary gives segmentation and a part of speech, but its tags
-- are too noisy to say what is a visible object (熊猫, 白云 and 黑狗 are tagged
-- as person names). These tables are written for image descriptions:
-- common visible nouns with a category, heads that give a category to nouns not
-- listed (…车 vehicle, …员 person), colours, brands, and the like.
-- @module glimpse.nlp.zh.rules

local M = {}

local function set(s)
  local t = {}
  for w in s:gmatch("%S+") do t[w] = true end
  return t
end

-- category -> nouns
local NOUNS = {
  person = [[
    人 男人 女人 男子 女子 男性 女性 男孩 女孩 男生 女生 孩子 小孩 儿童 婴儿 宝宝 少年 少女 青年 老人
    老年人 老头 老太太  奶奶 爷爷 外婆 外公 妈妈 母亲 爸爸 父亲 儿子 女儿 孙子 孙女 夫妇 夫妻 情侣
    家人 朋友 同学 学生 小学生 中学生 大学生 老师 教师 医生 护士 警察 交警 士兵 军人 消防员 司机 厨师
    服务员 工人 农民 游客 行人 乘客 观众 球员 运动员 演员 歌手 乐手 新娘 新郎 顾客 店员 员工 职员 外卖员
    快递员 保安 厨子 画家 摄影师 记者 主持人 演讲者 选手 骑手 渔民 牧民 小贩 摊主 志愿者 舞者 模特 人群
    群众 路人 居民 村民 市民 先生 女士 小姐 姑娘 小伙子 年轻人 中年人 大人 成人 人们 球迷 粉丝 同事 宝贝 胖子 骑士 新人 战士 武士 乞丐 渔夫 农夫 老爷爷 青少年 双胞胎 队伍 乐队 合唱团 游泳者 冲浪者 主人 家长 学者 工程师 警卫 售货员 收银员 小朋友 幼儿 观光客 旅客
    僧人 和尚 修女 清洁工 环卫工人 建筑工人 科学家 宇航员 飞行员 船员 水手 骑车人 跑步者 登山者 滑雪者
  ]],
  animal = [[
    狗  犬 猫  猫咪 鸟  鸡 小鸡 公鸡 母鸡 鸭 鸭子 鹅 鸽子 麻雀 燕子 老鹰 鹰 鹦鹉 乌鸦 海鸥 天鹅
    企鹅 孔雀 猫头鹰 马  牛 奶牛 黄牛 水牛 羊 山羊 绵羊 羊羔 猪  兔 兔子 老鼠 松鼠 猴子 猴 大象 象
    狮子 老虎 虎 豹 熊 熊猫 大熊猫 小熊猫 狼 狐狸 鹿 长颈鹿 斑马 骆驼 袋鼠 考拉 河马 犀牛 鱼 金鱼 鲨鱼
    鲸 鲸鱼 海豚 乌龟 龟 蛇 青蛙 蝴蝶 蜜蜂 蚂蚁 蜻蜓 蜘蛛 昆虫 螃蟹 虾 章鱼 水母 驴 骡子 刺猬 蜥蜴 鳄鱼
    宠物 动物 牲畜 家禽 金毛 金毛犬 金毛寻回犬 拉布拉多 拉布拉多犬 哈士奇 柯基 泰迪 贵宾犬 牧羊犬 德国牧羊犬
    边境牧羊犬 柴犬 斗牛犬 吉娃娃 比格犬 虎斑猫 埃及猫 波斯猫 暹罗猫 布偶猫 英短 橘猫
    奶猫 幼犬 羊驼 火烈鸟 鸵鸟 白鹭 仙鹤 鹤 喜鹊 海狮 海豹 北极熊 棕熊 黑熊 蝙蝠 蜗牛 瓢虫 猩猩 大猩猩 仓鼠 豚鼠 龙虾 火鸡
  ]],
  plant = [[
    树 树木   松树 柳树 杨树 榕树 桃树 樱花树 枫树 竹子 竹 竹林 树林 森林 花 鲜花 花朵 玫瑰 玫瑰花
    菊花 荷花 莲花 向日葵 郁金香 百合 牡丹 梅花 樱花 兰花 桃花 花束 草  青草 野草 植物 盆栽 绿植 仙人掌
    树枝 树干 树叶 叶子 落叶 藤 灌木 芦苇 稻田 麦田 庄稼 蘑菇 圣诞树 棕榈树 椰子树 银杏 枫叶 花丛 苔藓 水稻 玉米地
  ]],
  food = [[
    苹果  香蕉 橙子 橘子 柠檬 西瓜 葡萄 草莓 梨 桃子 芒果 菠萝 樱桃 蓝莓 猕猴桃 椰子 水果 蔬菜 胡萝卜
    萝卜 白菜 土豆 番茄 西红柿 黄瓜 茄子 辣椒 洋葱 玉米 南瓜 西兰花 面包 蛋糕 生日蛋糕 饼干 披萨 比萨 汉堡
    汉堡包 三明治 热狗 薯条 面条 米饭 饺子 包子 馒头 粥 汤 火锅 寿司 鸡蛋 蛋 牛奶 咖啡 茶 奶茶 果汁 啤酒
    红酒 葡萄酒 饮料 可乐 矿泉水 冰淇淋 雪糕 巧克力 糖果 甜点 月饼 粽子 烤鸭 烤肉 牛排 沙拉 食物 饭菜 菜
    芝士蛋糕 奶油蛋糕 巧克力蛋糕 水果蛋糕 拿铁 卡布奇诺 美式咖啡 培根 吐司 煎蛋 荷包蛋 炸鸡 烤鸡 香肠 火腿 生鱼片 刺身 面粉 芦笋 三文鱼 牛油果 意大利面 意面 通心粉 干酪 罗勒叶 牛角包 可颂 早餐 午餐 晚餐 零食 甜甜圈 面 肉 鱼肉 虾仁 豆腐 米线 拉面 炒饭 煎饼 油条 豆浆 酸奶 奶酪 坚果 花生
  ]],
  vehicle = [[
    车 车身 车头 车尾 汽车  轿车 车辆 卡车 货车 公交车 公共汽车 大巴 巴士 出租车 的士 自行车 单车 摩托车 电动车 电瓶车
    三轮车 火车 列车 高铁 动车 地铁 车厢 电车 有轨电车 飞机 客机 直升机 船  轮船 游船 帆船 渔船 快艇 游艇 皮划艇
    消防车 救护车 警车 跑车 越野车 吉普车 面包车 拖拉机 挖掘机 推土机 吊车 叉车 马车 婴儿车 滑板车 房车 赛车
    SUV 共享单车 校车 垃圾车 洒水车 坦克 火箭 热气球 缆车 车队
  ]],
  furniture = [[
    桌子 桌 餐桌 书桌 办公桌 茶几 椅子 椅 凳子 长椅 沙发 床 双人床 婴儿床 柜子 衣柜 书柜 书架 货架 架子 橱柜
    抽屉 梳妆台 讲台 吧台 柜台 收银台 轮椅 摇椅 躺椅 床头柜 电视柜 鞋柜 长凳 马桶 水槽 浴缸 洗手池 水龙头 扶手 屏风 地毯 窗帘 台灯 吊灯 灯 路灯 枕头 被子
    床单 靠垫 镜子
  ]],
  clothing = [[
    衣服 外套 大衣 夹克 羽绒服 西装 衬衫 T恤 毛衣 卫衣 背心 马甲 裙子 连衣裙 短裙 裤子 牛仔裤 短裤 制服 校服
    工作服 白大褂 旗袍 汉服 婚纱 礼服 睡衣 泳衣 雨衣 帽子 棒球帽 草帽 头盔 安全帽 围巾 手套 领带 鞋 鞋子
    运动鞋 跑鞋 球鞋 布鞋 皮靴 皮鞋 靴子 拖鞋 凉鞋 高跟鞋 袜子 眼镜 墨镜 太阳镜 口罩 手表 项链 耳环 戒指 手镯 腰带 皮带 围裙
    雨靴 头巾 面具 领结 披肩 服装 衣裳
  ]],
  device = [[
    手机 电话 智能手机 电脑 笔记本电脑 笔记本 平板电脑 平板 显示器 屏幕  键盘 鼠标 电视 电视机 相机
    照相机 摄像机 摄像头 耳机 音箱 麦克风 话筒 收音机 冰箱 洗衣机 空调 微波炉 烤箱 电饭煲 风扇 电风扇 吹风机
    打印机 投影仪 路由器 遥控器 时钟 钟 闹钟 挂钟 无人机 机器人 充电器 游戏机 手柄 计算器 灯泡 电池 插座
    红绿灯 红灯 绿灯 黄灯 交通灯 信号灯 停车计时器 手电筒 监控 扫描仪 电子屏
  ]],
  container = [[
    杯子 瓶子 瓶 水瓶 保温杯 碗 盒子 箱子 纸箱 行李箱 背包 书包 手提包 包裹 钱包 袋子 塑料袋 购物袋 篮子
    菜篮 车筐 桶 水桶 垃圾桶 罐子 花瓶 水壶 茶壶 锅 盆 托盘 邮筒 饭盒 快递 礼物 礼盒 信封 购物车 鸟笼 笼子 鱼缸
  ]],
  tableware = [[
    筷子 勺子 叉子 刀叉 盘子 碟子 茶杯 酒杯 玻璃杯 咖啡杯 马克杯 餐具 吸管 餐巾 餐巾纸
  ]],
  building = [[
    房子 房屋 楼 大楼 高楼 楼房 建筑 建筑物 摩天大楼 别墅 公寓 宿舍 教堂 寺庙 庙 宫殿 城堡 塔 宝塔 城楼
    商店 店  咖啡店 咖啡馆 餐厅 饭店 酒店 宾馆 超市 商场 市场 菜市场 医院 学校 教室 图书馆 博物馆 体育馆
    银行 工厂 仓库 车库 厨房 客厅 卧室 浴室 卫生间 厕所 办公室 房间 大厅 走廊 阳台 屋顶 亭子 凉亭 帐篷
     高楼大厦 后厨 木屋 农舍 民居 民宅 住宅 平房 瓦房 总部 车站 火车站 地铁站 机场 候车室 幼儿园 学校大门 书店 花店 面包店 药店 理发店 加油站 电影院
  ]],
  structure = [[
    街道 街 马路 路 道路 公路 高速公路 小路 小巷 巷子 胡同 人行道 斑马线 路口 十字路口 桥 大桥 桥梁 天桥
    隧道 广场 公园 操场 球场 足球场 篮球场 停车场 站台 公交车站 公交站 码头 港口 铁轨 铁路 墙 墙壁 围墙
    瓦 瓦片 晾衣绳 消防栓 消火栓 交通锥 路障 砖墙 栅栏 篱笆 门 大门 窗 窗户 窗台 台阶 楼梯 电梯 扶梯 柱子 烟囱 喷泉 雕像 雕塑 纪念碑 水果摊 摊位 舞台
    门口 入口 出口处 地板 场地 水坑 路边 街边 窗边 门边 桥边 街角 街头 看台 观众席 路面 屋檐 栏杆 长廊 游乐场 滑梯 秋千 游泳池 泳池 灯塔 风车 水坝 井 花园 院子 庭院
  ]],
  natural = [[
    天空 天 云 云朵 乌云 太阳 月亮 月 明月 星星 彩虹 山 山峰 高山 山坡 山脉 山谷  丘陵 河 河流 
    江 湖 湖泊 湖面 池塘 海 大海 海洋 海边 海滩 沙滩 海浪 浪 瀑布 溪流  水 冰 雪 雪地 雪山 冰川 沙漠
    草地 草坪 草原 田野 田地 农田 土地 石头 岩石 沙子 泥土 岛  悬崖 洞穴 火山 风景 夕阳 日落 日出 晚霞
    江面 海面 河面 山顶 山脚 山腰 岸边 河岸 河边 溪边 湖边 江边 水面 地面 雨 雾
  ]],
  body_part = [[
    手 双手 脚 头 头发 长发 短发 脸 眼睛 鼻子 嘴 嘴巴 耳朵 脖子 肩膀 胳膊 手臂 腿 手指 胡子 尾巴 翅膀 爪子
  ]],
  sign = [[
    招牌 牌子 标志 标牌 路牌 指示牌 广告牌 海报 横幅 标语 告示 价格牌 价格标签 标签 车牌 门牌 警示牌 路标
    交通标志 停车标志 广告 告示牌 菜单 二维码 商标 logo
  ]],
  tool = [[
    锤子 螺丝刀 扳手 剪刀 刀 菜刀 斧头 铲子 锯子 梯子 水管 绳子 扫帚 拖把 钥匙 梳子 牙刷 牙膏 毛巾 口红 化妆品 伞 雨伞 遮阳伞 长矛 剑 弓箭 案板 砧板 钓竿 鱼竿 针 尺子
  ]],
  instrument = [[
    钢琴 吉他 小提琴 大提琴 鼓 架子鼓 笛子 二胡 古筝 萨克斯 小号 琵琶 口琴 手风琴
  ]],
  toy = [[
    玩具 玩偶 娃娃 布娃娃 泰迪熊 毛绒玩具 积木 风筝 气球 玩具车 魔方 飞盘 陀螺 沙堡 雪人
  ]],
  sports = [[
    足球 篮球 排球 网球 乒乓球 羽毛球 棒球 高尔夫球 球 球拍 网球拍 滑板 冲浪板 滑雪板 雪橇 球门 球网 哑铃 运动球 棒球棒 棒球手套 单板滑雪板 跑步机
  ]],
  artifact = [[
    黑板 白板 书 书本 书籍 杂志 报纸 本子 笔 铅笔 钢笔 纸 画 油画 山水画 国画 壁画 相框 电线 电线杆 地图 旗子 国旗 旗帜 蜡烛 灯笼 烟花
    收据 发票 账单 钱 纸币 硬币 信用卡 护照 信 卡片 奖杯 奖牌 十字架 花环 对联
  ]],
  other = [[
    物体 东西 物品 垃圾 烟 火 火焰 篝火 光 灯光
  ]],
}

M.CATEGORY = {}
for cat, list in pairs(NOUNS) do
  for w in list:gmatch("%S+") do M.CATEGORY[w] = cat end
end

-- Nouns that are lit-up scenery rather than objects: a colour near them is
-- still a COLOR, but no OBJECT is produced.
M.NOT_OBJECT = set [[ 灯光 光 风景 夕阳 日落 日出 晚霞 烟 火 火焰 水 雨 雾 ]]

-- Suffix heads: a noun not listed above that ends with one of these takes its
-- category (…犬 animal, …员 person, …车 vehicle). Longest suffix first.
M.HEADS = {
  { "工人", "person" }, { "司机", "person" }, { "老师", "person" }, { "医生", "person" },
  { "员", "person" }, { "士", "person" }, { "师", "person" }, { "者", "person" }, { "手", "person" }, { "工", "person" },
  { "犬", "animal" }, { "狼", "animal" }, { "猫", "animal" }, { "狗", "animal" }, { "鸟", "animal" }, { "鱼", "animal" },
  { "鸡", "animal" }, { "鸭", "animal" }, { "马", "animal" }, { "牛", "animal" }, { "羊", "animal" },
  { "熊", "animal" }, { "虫", "animal" }, { "鹰", "animal" }, { "雀", "animal" },
  { "树", "plant" }, { "花", "plant" }, { "草", "plant" },
  { "车", "vehicle" }, { "船", "vehicle" }, { "艇", "vehicle" }, { "机", "device" }, { "仪", "device" }, { "器", "device" }, { "表", "device" },
  { "桌", "furniture" }, { "椅", "furniture" }, { "柜", "furniture" }, { "床", "furniture" },
  { "衣", "clothing" }, { "服", "clothing" }, { "裙", "clothing" }, { "裤", "clothing" },
  { "帽", "clothing" }, { "鞋", "clothing" }, { "靴", "clothing" },
  { "杯", "container" }, { "瓶", "container" }, { "箱", "container" }, { "袋", "container" },
  { "店", "building" }, { "室", "building" }, { "房", "building" }, { "馆", "building" }, { "楼", "building" }, { "厅", "building" },
  { "院", "building" }, { "塔", "building" }, { "寺", "building" }, { "站", "structure" },
  { "桥", "structure" }, { "道", "structure" }, { "田", "natural" }, { "园", "structure" }, { "路", "structure" }, { "街", "structure" }, { "场", "structure" },
  { "牌", "sign" }, { "卡", "artifact" }, { "单", "artifact" }, { "伞", "tool" }, { "画", "artifact" }, { "台", "furniture" }, { "席", "structure" }, { "糕", "food" }, { "饼", "food" }, { "汤", "food" }, { "果", "food" },
  { "球", "sports" },
}

-- Colours: the word as written becomes the attribute and the COLOR text.
M.COLOR_BASE = set [[
  红 橙 黄 绿 青 蓝 紫 黑 白 灰 棕 粉 金 银 褐 橘
  红色 橙色 黄色 绿色 青色 蓝色 紫色 黑色 白色 灰色 棕色 粉色 金色 银色 褐色 橘色 咖啡色 米色 粉红色
  粉红 金黄 金黄色 橘黄色 橘红色 橙红色 深红色 浅红色 鲜红色 暗红色 深蓝色 浅蓝色 天蓝色 湛蓝色 蔚蓝色 宝蓝色
  藏青色 藏蓝色 深绿色 浅绿色 墨绿色 翠绿色 草绿色 嫩绿色 军绿色 深灰色 浅灰色 银灰色 乳白色 雪白色 米白色
  深棕色 浅棕色 红褐色 黄褐色 土黄色 淡黄色 浅黄色 鹅黄色 深紫色 浅紫色 淡紫色 紫红色 玫红色 酒红色 桃红色
  彩色 五颜六色 透明 黑白 红白 蓝白 红黄 灰白 黑黄 红蓝 蓝绿 黄绿 黑红
  雪白 漆黑 乌黑 碧绿 翠绿 火红 通红 金灿灿 绿油油 湛蓝 蔚蓝
]]
-- single-character colour prefixes of nouns (黑狗 = 黑 + 狗)
M.COLOR_CHAR = set [[ 红 橙 黄 绿 青 蓝 紫 黑 白 灰 棕 粉 金 银 褐 橘 ]]
-- characters that modify a following colour word (深 + 蓝色, 奶 + 白色)
M.COLOR_MOD = set [[ 深 浅 淡 亮 暗 鲜 奶 米 乳 雪 嫩 墨 翠 草 湖 宝 藏 酒 玫 桃 土 象 珍 樱 艳 粉 灰 ]]

-- Other attributes that modify a noun: sizes, ages, materials, textures.
M.ATTRIBUTE = set [[
  大 小 高 矮 长 短 胖 瘦 老 新 旧 年轻 年老 高大 矮小 巨大 小小 大大 细长 粗 细 圆 方 圆形 方形
  木 木制 木头 木质 金属 铁 钢 塑料 玻璃 皮 皮革 布 纸 石 石头 陶瓷 竹制 毛绒 毛茸茸 破旧 崭新 干净 脏
  光头 秃头 卷发 可爱 漂亮 美丽 洁白 青花瓷 瓷 灰白相间 红白相间 蓝白相间 黑黄相间 黑白相间 条纹 格子 花纹 斑点
]]
-- size/age prefixes split from a noun (小男孩 = 小 + 男孩, 老奶奶 = 老 + 奶奶)
M.PREFIX_ATTRIBUTE = set [[ 小 大 老 花 木 空 ]]

-- Negation before a noun phrase: no OBJECT for what follows.
M.NEGATION = set [[ 没有 没 无 不是 并非 并没有 没人 毫无 不见 看不到 看不见 没看到 没有看到 ]]

-- Demonstratives and words after which a numeral is not a count.
M.DEMONSTRATIVE = set [[ 这 那 这个 那个 这些 那些 每 各 某 哪 ]]

-- Brands and organisations (ORG). jieba tags many as person names (星巴克 nr).
M.ORG = set [[
  星巴克 麦当劳 肯德基 可口可乐 百事可乐 百事 雀巢 美团 饿了么 阿里巴巴 阿里 腾讯 百度 京东 淘宝 天猫 拼多多
  华为 小米 联想 海尔 格力 美的 比亚迪 吉利 长城汽车 蔚来 理想汽车 特斯拉 奔驰 宝马 奥迪 大众 丰田 本田
  日产 福特 雪佛兰 保时捷 法拉利 兰博基尼 耐克 阿迪达斯 李宁 安踏 优衣库 宜家 迪士尼 苹果公司 谷歌 微软
  三星 索尼 松下 佳能 尼康 亚马逊 脸书 推特 抖音 字节跳动 微信 支付宝 中国移动 中国联通 中国电信 中国银行
  工商银行 建设银行 农业银行 招商银行 中石化 中石油 国家电网 顺丰 中国邮政 邮政 滴滴 大疆 茅台 青岛啤酒
  蜜雪冰城 喜茶 瑞幸 瑞幸咖啡 海底捞 全聚德 同仁堂 故宫博物院 联合国 中央电视台 央视 新华社 人民日报 奥运会
  Nike Adidas Apple Google Microsoft Samsung Sony Starbucks McDonald's KFC IKEA Tesla BMW Toyota Honda
  Huawei Xiaomi Lenovo Coca-Cola Pepsi Disney Amazon Facebook Canon Nikon Audi
]]
-- suffixes of organisation names (…公司, …大学)
M.ORG_SUFFIX = { "有限公司", "公司", "集团", "银行", "大学", "学院", "研究院", "研究所", "委员会", "协会", "基金会", "俱乐部", "电视台" }

-- Named places that jieba does not tag ns, or tags otherwise.
M.PLACE = set [[
  外滩 故宫 长城 万里长城 东方明珠 东方明珠塔 天安门 天安门广场 颐和园 圆明园 兵马俑 布达拉宫 黄山 泰山 华山
  巴黎 伦敦 纽约 东京 柏林 罗马 莫斯科 悉尼 首尔 曼谷 新加坡 迪拜 洛杉矶 旧金山 巴塞罗那 马德里
  阿姆斯特丹 维也纳 布拉格 威尼斯 米兰 佛罗伦萨 雅典 开罗 伊斯坦布尔 温哥华 多伦多 芝加哥 波士顿 华盛顿
  西雅图 京都 大阪 台北 英国 法国 德国 意大利 西班牙 美国 日本 韩国 泰国 澳大利亚 加拿大 俄罗斯 印度
  埃及 希腊 瑞士 荷兰 威尔士 苏格兰 普罗旺斯 夏威夷 巴厘岛 马尔代夫 冰岛 挪威 瑞典 芬兰 丹麦 葡萄牙 墨西哥 巴西
  峨眉山 珠穆朗玛峰 西湖 黄浦江 长江 黄河 鸟巢 水立方 迪士尼乐园 埃菲尔铁塔 自由女神像 金门大桥 时代广场
  维多利亚港 中山公园 人民广场 王府井 南京路 陆家嘴 三里屯 鼓浪屿 漓江 九寨沟 张家界 香港 澳门 台湾
]]
-- a place name followed by one of these is still a place (杭州西湖站)
M.PLACE_SUFFIX = { "广场", "公园", "大桥", "大街", "路", "街", "山", "湖", "江", "河", "寺", "塔", "站", "机场", "省", "市", "县", "镇", "村", "区" }

-- Common nouns jieba tags ns / nr that are not names.
M.NOT_NAME = set [[
  京 沪 粤 津 渝 冀 晋 辽 吉 黑 苏 浙 皖 闽 赣 鲁 豫 鄂 湘 桂 琼 川 贵 云 藏 陕 甘 青 宁 新 蒙
  白云 蓝天 熊猫 孙子 黑狗 金毛犬 小熊猫 华为 东方明珠 星巴克 阿里巴巴 麦当劳 卡拉 拉布拉多 金毛
  合影 合照 自拍 截图 特写 写真 镜头 图像 影像 视频 面前 跟前 身边 身旁 眼前 大家 人们 时候 中央 上方 下方 左边 右边 中间 前面 后面 旁边 对面 周围 附近 里面 外面 远处 近处 画面
  照片 图片 图中 画面中 背景 前景 左侧 右侧 一侧 两侧 上面 下面 东方 西方 南方 北方 路上 身上 手上 桌上
  现场 城市 城里 乡村 农村 市区 郊区 地方 当地 高大 明媚 可爱 阳光 自然 和平 光明 文明 平安 幸福 美丽 东南 西北 人民 国家 世界
]]

-- Province abbreviations that start a Chinese licence plate.
M.PLATE_PREFIX = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼使领港澳台"

-- Words that introduce visible text ("写着", "印着").
M.TEXT_VERB = set [[ 写着 写有 写 印着 印有 显示 显示着 标着 刻着 上书 写道 文字 字样 标语 ]]

-- Times of day that combine with a clock hour (下午三点).
M.DAYPART = set [[ 凌晨 早上 早晨 清晨 上午 中午 下午 傍晚 晚上 夜里 半夜 午夜 深夜 今晚 今早 ]]
M.WEEKDAY = set [[ 星期一 星期二 星期三 星期四 星期五 星期六 星期日 星期天 周一 周二 周三 周四 周五 周六 周日 周末
  礼拜一 礼拜二 礼拜三 礼拜四 礼拜五 礼拜六 礼拜天 礼拜日 ]]
M.HOLIDAY = set [[ 春节 元旦 国庆节 中秋节 端午节 元宵节 清明节 圣诞节 情人节 除夕 劳动节 儿童节 万圣节 感恩节 ]]
M.CURRENCY_SUFFIX = set [[ 元 块 块钱 元钱 角 毛 分钱 美元 美金 欧元 英镑 日元 韩元 港币 港元 人民币 澳元 卢布 ]]
M.CURRENCY_PREFIX = set [[ ¥ ￥ $ € £ ＄ US$ HK$ RMB ]]

-- Common Chinese surnames (for names the dictionary lacks: 张伟, 李娜).
M.SURNAME = set [[
  王 李 张 刘 陈 杨 黄 赵 吴 周 徐 孙 马 朱 胡 郭 何 高 林 罗 郑 梁 谢 宋 唐 许 韩 冯 邓 曹 彭 曾 肖 田
  董 袁 潘 于 蒋 蔡 余 杜 叶 程 苏 魏 吕 丁 任 沈 姚 卢 姜 崔 钟 谭 陆 汪 范 金 石 廖 贾 夏 韦 付 方 白 邹
  孟 熊 秦 邱 江 尹 薛 闫 段 雷 侯 龙 史 陶 黎 贺 顾 毛 郝 龚 邵 万 钱 严 覃 武 戴 莫 孔 向 汤 欧阳 司马 诸葛 上官
]]
-- titles after a name (王先生, 李老师) or before it
M.TITLE = set [[ 先生 女士 小姐 老师 医生 教授 博士 同学 师傅 阿姨 叔叔 经理 总 主任 局长 校长 院长 队长 主席 总统 ]]

-- Single characters that never start or continue a given name.
M.NOT_GIVEN = set [[
  的 了 在 是 和 与 及 或 也 都 就 还 又 很 不 没 着 过 把 被 给 对 向 从 到 上 下 里 中 前 后 左 右 边 旁 外 内
  个 只 位 名 条 张 辆 台 把 一 二 两 三 四 五 六 七 八 九 十 这 那 他 她 它 我 你 们 有 站 坐 躺 走 跑 拿
  穿 戴 看 说 吃 喝 唱 跳 骑 开 用 在 正 将 已 请 让 叫 说 而 但 却 所 为 以 于 之 其 每 各 些 等 吧 吗 呢 啊
]]

return M
