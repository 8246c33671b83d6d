"""Words the benchmark generator builds its catalog from: a three-level category tree, brands,
product nouns in Uzbek (Latin), Russian and English, colours and attribute values.

Plain data; ``generate.py`` does the random choices. Search terms the runner relies on are
planted here on purpose:

* ``RARE_BRAND`` (``Ziffler``) is given to ~0.6% of home-appliance products, about 0.05% of
  the catalog: a *selective* term.
* ``RARE_MODEL`` (``Fold6``) is the model of ~0.1% of electronics, about 0.02%: selective too.
* ``qora`` (black, Uzbek) is the commonest colour and Uzbek is the commonest language of the
  names, so it lands in roughly 5-10% of the products: a *broad* term.
"""

from dataclasses import dataclass

RARE_BRAND = "Ziffler"
RARE_BRAND_ROOT = "maishiy-texnika"
RARE_BRAND_SHARE = 0.006  # of the products in that root
RARE_MODEL = "Fold6"
RARE_MODEL_ROOT = "elektronika"
RARE_MODEL_SHARE = 0.001

LANGUAGES = (("uz", 0.5), ("ru", 0.3), ("en", 0.2))
COLOR_IN_NAME = 0.5

# (uz, ru, en, weight)
COLORS = (
    ("qora", "черный", "black", 30),
    ("oq", "белый", "white", 20),
    ("kulrang", "серый", "grey", 12),
    ("ko'k", "синий", "blue", 12),
    ("qizil", "красный", "red", 10),
    ("yashil", "зеленый", "green", 7),
    ("pushti", "розовый", "pink", 6),
    ("sariq", "желтый", "yellow", 3),
)

MODEL_SERIES = ("A", "S", "X", "M", "GT", "RX", "Pro ", "Lite ", "Neo ", "Max ", "ZX", "K", "V", "T")

WARRANTY = ("6 oy", "1 yil", "2 yil", "3 yil")
COUNTRIES = ("O'zbekiston", "Xitoy", "Turkiya", "Koreya", "Germaniya", "Rossiya", "Italiya", "Yaponiya")
COMMON_ATTRIBUTES = (("Kafolat", WARRANTY), ("Ishlab chiqaruvchi mamlakat", COUNTRIES))


@dataclass(frozen=True)
class Sub:
    name: str  # plural Uzbek category name
    noun: tuple  # (uz, ru, en) singular product noun used in names


@dataclass(frozen=True)
class Root:
    name: str
    slug: str
    segments: tuple  # leaf = f"{segment} {sub.name.lower()}"
    brands: tuple
    subs: tuple
    extras: tuple  # appended to names, e.g. storage or size
    attributes: tuple  # (name, values)
    price: tuple  # (low, high) UZS
    weight: float  # share of the catalog


ROOTS = (
    Root(
        "Elektronika",
        "elektronika",
        ("Premium", "Arzon", "O'rta narxdagi", "Yangi", "Professional", "Gaming"),
        ("Samsung", "Apple", "Xiaomi", "Huawei", "Honor", "Realme", "Lenovo", "Asus", "Acer", "Sony", "LG", "JBL"),
        (
            Sub("Smartfonlar", ("smartfon", "смартфон", "smartphone")),
            Sub("Noutbuklar", ("noutbuk", "ноутбук", "laptop")),
            Sub("Planshetlar", ("planshet", "планшет", "tablet")),
            Sub("Televizorlar", ("televizor", "телевизор", "TV")),
            Sub("Quloqchinlar", ("quloqchin", "наушники", "headphones")),
            Sub("Smart soatlar", ("smart soat", "смарт-часы", "smartwatch")),
        ),
        ("64 GB", "128 GB", "256 GB", "512 GB", "1 TB", ""),
        (
            ("Xotira", ("64 GB", "128 GB", "256 GB", "512 GB", "1 TB")),
            ("Operativ xotira", ("4 GB", "6 GB", "8 GB", "12 GB", "16 GB")),
            ("Ekran", ('6.1"', '6.7"', '11"', '14"', '15.6"', '43"', '55"')),
            ("Rang", ("qora", "oq", "kulrang", "ko'k")),
        ),
        (300_000, 30_000_000),
        1.6,
    ),
    Root(
        "Maishiy texnika",
        "maishiy-texnika",
        ("Premium", "Arzon", "Ixcham", "Katta", "Energiya tejovchi", "Aqlli"),
        ("Artel", "Samsung", "LG", "Shivaki", "Hofmann", "Bosch", "Beko", "Midea", "Haier", "Tefal", "Philips"),
        (
            Sub("Muzlatgichlar", ("muzlatgich", "холодильник", "refrigerator")),
            Sub("Kir yuvish mashinalari", ("kir yuvish mashinasi", "стиральная машина", "washing machine")),
            Sub("Konditsionerlar", ("konditsioner", "кондиционер", "air conditioner")),
            Sub("Changyutgichlar", ("changyutgich", "пылесос", "vacuum cleaner")),
            Sub("Mikroto'lqinli pechlar", ("mikroto'lqinli pech", "микроволновая печь", "microwave")),
            Sub("Gaz plitalari", ("gaz plita", "газовая плита", "gas stove")),
        ),
        ("1200 W", "2000 W", "7 kg", "9 kg", "300 l", ""),
        (
            ("Quvvat", ("800 W", "1200 W", "1600 W", "2000 W", "2400 W")),
            ("Energiya sinfi", ("A", "A+", "A++", "A+++")),
            ("Rang", ("oq", "qora", "kulrang", "kumush")),
        ),
        (400_000, 25_000_000),
        1.2,
    ),
    Root(
        "Kiyim-kechak",
        "kiyim-kechak",
        ("Erkaklar uchun", "Ayollar uchun", "Bolalar uchun", "Sport", "Klassik", "Mavsumiy"),
        ("Zara", "LC Waikiki", "Koton", "Mango", "DeFacto", "Nike", "Adidas", "Puma", "Baon", "Colin's"),
        (
            Sub("Futbolkalar", ("futbolka", "футболка", "t-shirt")),
            Sub("Shimlar", ("shim", "брюки", "trousers")),
            Sub("Kurtkalar", ("kurtka", "куртка", "jacket")),
            Sub("Sviterlar", ("sviter", "свитер", "sweater")),
            Sub("Jinsilar", ("jinsi", "джинсы", "jeans")),
            Sub("Paltolar", ("palto", "пальто", "coat")),
        ),
        ("S", "M", "L", "XL", "XXL", ""),
        (
            ("O'lcham", ("XS", "S", "M", "L", "XL", "XXL")),
            ("Material", ("paxta", "poliester", "jun", "zig'ir", "viskoza")),
            ("Mavsum", ("yoz", "qish", "bahor-kuz", "mavsumsiz")),
        ),
        (60_000, 2_500_000),
        1.5,
    ),
    Root(
        "Poyabzal",
        "poyabzal",
        ("Erkaklar uchun", "Ayollar uchun", "Bolalar uchun", "Sport", "Klassik", "Qishki"),
        ("Nike", "Adidas", "Puma", "Reebok", "New Balance", "Skechers", "Ecco", "Asics", "Fila"),
        (
            Sub("Krossovkalar", ("krossovka", "кроссовки", "sneakers")),
            Sub("Tuflilar", ("tufli", "туфли", "shoes")),
            Sub("Etiklar", ("etik", "сапоги", "boots")),
            Sub("Shippaklar", ("shippak", "тапочки", "slippers")),
            Sub("Sandallar", ("sandal", "сандалии", "sandals")),
            Sub("Botinkalar", ("botinka", "ботинки", "ankle boots")),
        ),
        ("38", "40", "42", "44", ""),
        (
            ("O'lcham", tuple(str(n) for n in range(35, 46))),
            ("Material", ("charm", "zamsh", "to'qimachilik", "sun'iy charm")),
        ),
        (90_000, 3_000_000),
        1.0,
    ),
    Root(
        "Go'zallik va salomatlik",
        "gozallik-va-salomatlik",
        ("Ayollar uchun", "Erkaklar uchun", "Tabiiy", "Professional", "Kundalik", "Sovg'a"),
        ("L'Oreal", "Nivea", "Garnier", "Maybelline", "Dove", "Pantene", "Braun", "Remington", "Evalar"),
        (
            Sub("Atirlar", ("atir", "духи", "perfume")),
            Sub("Yuz kremlari", ("yuz kremi", "крем для лица", "face cream")),
            Sub("Shampunlar", ("shampun", "шампунь", "shampoo")),
            Sub("Pomadalar", ("pomada", "помада", "lipstick")),
            Sub("Soch fenlari", ("soch feni", "фен", "hair dryer")),
            Sub("Vitaminlar", ("vitamin", "витамины", "vitamins")),
        ),
        ("50 ml", "100 ml", "250 ml", "400 ml", ""),
        (
            ("Hajm", ("30 ml", "50 ml", "100 ml", "250 ml", "400 ml")),
            ("Teri turi", ("quruq", "yog'li", "normal", "aralash")),
        ),
        (25_000, 1_500_000),
        1.0,
    ),
    Root(
        "Uy va bog'",
        "uy-va-bog",
        ("Oshxona", "Yotoqxona", "Mehmonxona", "Hammom", "Bog'", "Dekor"),
        ("Tefal", "Luminarc", "IKEA", "Bergner", "Zepter", "Karcher", "Gardena", "Hausberg"),
        (
            Sub("Idish-tovoqlar", ("idish", "посуда", "cookware")),
            Sub("Choyshablar", ("choyshab", "постельное белье", "bed linen")),
            Sub("Gilamlar", ("gilam", "ковер", "carpet")),
            Sub("Yoritgichlar", ("chiroq", "светильник", "lamp")),
            Sub("Pardalar", ("parda", "шторы", "curtains")),
            Sub("Bog' asboblari", ("bog' asbobi", "садовый инструмент", "garden tool")),
        ),
        ("6 kishilik", "2x3 m", "24 dona", ""),
        (
            ("Material", ("paxta", "keramika", "shisha", "zanglamas po'lat", "yog'och")),
            ("O'lcham", ("kichik", "o'rta", "katta")),
        ),
        (30_000, 5_000_000),
        1.0,
    ),
    Root(
        "Bolalar tovarlari",
        "bolalar-tovarlari",
        ("Chaqaloqlar uchun", "1-3 yosh", "3-6 yosh", "Maktab yoshi", "O'g'il bolalar", "Qiz bolalar"),
        ("LEGO", "Pampers", "Huggies", "Chicco", "Hasbro", "Mattel", "Joie", "Happy Baby"),
        (
            Sub("O'yinchoqlar", ("o'yinchoq", "игрушка", "toy")),
            Sub("Aravachalar", ("aravacha", "коляска", "stroller")),
            Sub("Tagliklar", ("taglik", "подгузники", "diapers")),
            Sub("Konstruktorlar", ("konstruktor", "конструктор", "building set")),
            Sub("Bolalar kiyimlari", ("bolalar kiyimi", "детская одежда", "kids clothes")),
            Sub("Avtokreslolar", ("avtokreslo", "автокресло", "car seat")),
        ),
        ("0+", "3+", "6+", ""),
        (
            ("Yosh", ("0+", "1+", "3+", "6+", "9+")),
            ("Material", ("plastik", "yog'och", "paxta", "metall")),
        ),
        (20_000, 6_000_000),
        0.9,
    ),
    Root(
        "Sport va dam olish",
        "sport-va-dam-olish",
        ("Boshlovchilar uchun", "Professional", "Uy uchun", "Sayohat", "Bolalar", "Yozgi"),
        ("Decathlon", "Adidas", "Nike", "Stels", "Forward", "Torneo", "Kettler", "Wilson"),
        (
            Sub("Velosipedlar", ("velosiped", "велосипед", "bicycle")),
            Sub("Trenajyorlar", ("trenajyor", "тренажер", "exercise machine")),
            Sub("Gantellar", ("gantel", "гантели", "dumbbell")),
            Sub("To'plar", ("to'p", "мяч", "ball")),
            Sub("Chodirlar", ("chodir", "палатка", "tent")),
            Sub("Yoga gilamchalari", ("yoga gilamchasi", "коврик для йоги", "yoga mat")),
        ),
        ("5 kg", "10 kg", '26"', ""),
        (
            ("Material", ("po'lat", "alyuminiy", "rezina", "neylon")),
            ("Og'irlik", ("1 kg", "2 kg", "5 kg", "10 kg", "15 kg")),
        ),
        (50_000, 12_000_000),
        0.7,
    ),
    Root(
        "Avtotovarlar",
        "avtotovarlar",
        ("Yengil avtomobil", "Yuk avtomobili", "Qishki", "Yozgi", "Premium", "Arzon"),
        ("Michelin", "Bridgestone", "Continental", "Castrol", "Mobil", "Shell", "Bosch", "Varta", "Pioneer"),
        (
            Sub("Shinalar", ("shina", "шина", "tyre")),
            Sub("Akkumulyatorlar", ("akkumulyator", "аккумулятор", "car battery")),
            Sub("Motor moylari", ("motor moyi", "моторное масло", "motor oil")),
            Sub("Videoregistratorlar", ("videoregistrator", "видеорегистратор", "dashcam")),
            Sub("Avtokimyo", ("avtokimyo", "автохимия", "car care")),
            Sub("Avtomagnitolalar", ("avtomagnitola", "автомагнитола", "car stereo")),
        ),
        ("R15", "R16", "5W-30", "60 Ah", ""),
        (
            ("Mavsum", ("yoz", "qish", "butun yil")),
            ("Hajm", ("1 l", "4 l", "5 l")),
        ),
        (40_000, 4_000_000),
        0.6,
    ),
    Root(
        "Oziq-ovqat",
        "oziq-ovqat",
        ("Organik", "Import", "Mahalliy", "Dietik", "Bayram", "Kundalik"),
        ("Ahmad Tea", "Lipton", "Nescafe", "Jacobs", "Lavazza", "Roshen", "Makfa", "Barilla", "Nestle"),
        (
            Sub("Choy", ("choy", "чай", "tea")),
            Sub("Qahva", ("qahva", "кофе", "coffee")),
            Sub("Shirinliklar", ("shirinlik", "конфеты", "sweets")),
            Sub("Yong'oqlar", ("yong'oq", "орехи", "nuts")),
            Sub("Makaronlar", ("makaron", "макароны", "pasta")),
            Sub("O'simlik yog'lari", ("o'simlik yog'i", "растительное масло", "vegetable oil")),
        ),
        ("100 g", "250 g", "500 g", "1 kg", ""),
        (
            ("Og'irlik", ("100 g", "250 g", "500 g", "1 kg")),
            ("Qadoq", ("quti", "paket", "shisha idish")),
        ),
        (8_000, 400_000),
        0.6,
    ),
    Root(
        "Kitoblar va kanselyariya",
        "kitoblar-va-kanselyariya",
        ("Bolalar uchun", "Maktab", "Ofis", "Badiiy", "Ilmiy", "Sovg'a"),
        ("Erich Krause", "Faber-Castell", "Parker", "Pilot", "Staedtler", "Hatber", "Silwerhof"),
        (
            Sub("Kitoblar", ("kitob", "книга", "book")),
            Sub("Darsliklar", ("darslik", "учебник", "textbook")),
            Sub("Daftarlar", ("daftar", "тетрадь", "notebook")),
            Sub("Ruchkalar", ("ruchka", "ручка", "pen")),
            Sub("Ryukzaklar", ("ryukzak", "рюкзак", "backpack")),
            Sub("Rangli qalamlar", ("qalam", "карандаши", "pencils")),
        ),
        ("12 dona", "24 dona", "48 varaq", ""),
        (
            ("Til", ("o'zbek", "rus", "ingliz")),
            ("Soni", ("1 dona", "6 dona", "12 dona", "24 dona")),
        ),
        (5_000, 900_000),
        0.6,
    ),
    Root(
        "Qurilish va ta'mirlash",
        "qurilish-va-tamirlash",
        ("Professional", "Uy uchun", "Akkumulyatorli", "Simli", "Sanoat", "Arzon"),
        ("Bosch", "Makita", "DeWalt", "Metabo", "Interskol", "Ryobi", "Grohe", "Tikkurila"),
        (
            Sub("Drellar", ("drel", "дрель", "drill")),
            Sub("Perforatorlar", ("perforator", "перфоратор", "rotary hammer")),
            Sub("Bo'yoqlar", ("bo'yoq", "краска", "paint")),
            Sub("Smesitellar", ("smesitel", "смеситель", "faucet")),
            Sub("Payvandlash apparatlari", ("payvandlash apparati", "сварочный аппарат", "welder")),
            Sub("Asboblar to'plamlari", ("asboblar to'plami", "набор инструментов", "tool set")),
        ),
        ("600 W", "18 V", "2.5 l", ""),
        (
            ("Quvvat", ("500 W", "750 W", "1000 W", "1500 W")),
            ("Kuchlanish", ("12 V", "18 V", "220 V")),
        ),
        (30_000, 8_000_000),
        0.7,
    ),
)

SHORT = {
    "uz": ("Sifatli va ishonchli", "Rasmiy kafolat bilan", "Eng yaxshi narxda", "Yangi model", "Ommabop tanlov"),
    "ru": ("Качественный и надежный", "С официальной гарантией", "По лучшей цене", "Новая модель", "Хит продаж"),
    "en": ("Reliable and well made", "With official warranty", "Best price", "New model", "Popular choice"),
}

DESCRIPTION = {
    "uz": (
        "{brand} {noun} kundalik foydalanish uchun qulay.",
        "Rasmiy kafolat {warranty}.",
        "Toshkent bo'ylab tez yetkazib berish.",
        "Sifat sertifikati mavjud.",
        "Zamonaviy dizayn va uzoq xizmat muddati.",
        "{root} bo'limidagi eng yaxshi takliflardan biri.",
        "Mahsulot asl qadoqda yetkaziladi.",
        "Buyurtma 1-3 kun ichida yetkaziladi.",
    ),
    "ru": (
        "{brand} {noun} отлично подходит для ежедневного использования.",
        "Официальная гарантия {warranty}.",
        "Быстрая доставка по Ташкенту.",
        "Есть сертификат качества.",
        "Современный дизайн и долгий срок службы.",
        "Одно из лучших предложений в разделе {root}.",
        "Товар поставляется в оригинальной упаковке.",
        "Доставка заказа за 1-3 дня.",
    ),
    "en": (
        "The {brand} {noun} is easy to use every day.",
        "Official warranty: {warranty}.",
        "Fast delivery across Tashkent.",
        "Quality certificate included.",
        "Modern design and a long service life.",
        "One of the best offers in {root}.",
        "Shipped in the original packaging.",
        "Delivered in 1-3 days.",
    ),
}

FIRST_NAMES = (
    "Aziz", "Bobur", "Dilshod", "Eldor", "Farrux", "G'ayrat", "Jasur", "Kamol", "Laziz", "Murod",
    "Nodir", "Otabek", "Rustam", "Sardor", "Temur", "Ulug'bek", "Zafar", "Aziza", "Dilnoza", "Gulnora",
    "Kamola", "Malika", "Nigora", "Sevara", "Shahnoza", "Umida", "Yulduz", "Zarina",
)  # fmt: skip
LAST_NAMES = (
    "Karimov", "Rahimov", "Yusupov", "Aliyev", "Nazarov", "Toshmatov", "Ismoilov", "Qodirov",
    "Ergashev", "Mirzayev", "Sobirov", "Xolmatov", "Usmonov", "Abdullayev", "Saidov", "Hamidov",
)  # fmt: skip
SHOP_WORDS = ("Savdo", "Market", "Store", "Plus", "Baraka", "Do'kon", "Shop", "Trade", "Mega", "Express")
