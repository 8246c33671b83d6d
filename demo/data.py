"""The facts of the demo marketplace. Plain data, no database access.

Everything the README or ``demo_logins`` shows (the demo accounts and their password) lives here,
so there is one place to change it. Prices are in UZS; coordinates are WGS84 (longitude, latitude).
"""

from dataclasses import dataclass, field

# --- demo accounts ------------------------------------------------------------------------
# One memorable password for every demo login. It passes Django's password validators
# (unlike "gogomarket2026", which is too similar to the @gogomarket.uz addresses).
DEMO_PASSWORD = "toshkent2026"


@dataclass(frozen=True)
class DemoLogin:
    role: str  # what the table shows: buyer, seller, courier or the admin sub-role
    email: str
    first_name: str
    last_name: str
    phone: str
    admin_role: str | None = None  # AdminRoleType value for staff accounts


DEMO_LOGINS = (
    DemoLogin("buyer", "buyer@gogomarket.uz", "Aziza", "Karimova", "+998901110001"),
    DemoLogin("seller", "seller@gogomarket.uz", "GoGo Savdo", "", "+998901110002"),
    DemoLogin("courier", "courier@gogomarket.uz", "Jasur", "Toshmatov", "+998901110003"),
    DemoLogin("super_admin", "admin@gogomarket.uz", "Bekzod", "Rahimov", "+998901110004", "super_admin"),
    DemoLogin("role_manager", "roles@gogomarket.uz", "Dilnoza", "Yusupova", "+998901110005", "role_manager"),
    DemoLogin("accounting", "accounting@gogomarket.uz", "Rustam", "Aliyev", "+998901110006", "accounting"),
    DemoLogin("technical_access", "tech@gogomarket.uz", "Sardor", "Nazarov", "+998901110007", "technical_access"),
)
DEMO_BUYER_EMAIL = "buyer@gogomarket.uz"
DEMO_SELLER_EMAIL = "seller@gogomarket.uz"
DEMO_COURIER_EMAIL = "courier@gogomarket.uz"
DEMO_ADMIN_EMAIL = "admin@gogomarket.uz"  # the super admin: assigns couriers to demo orders
# The demo buyer's GoGoMoney, to pay from the wallet at once.
DEMO_WALLET_BONUS = 500_000  # so'm
DEMO_WALLET_BONUS_NOTE = "Xush kelibsiz bonusi (demo)"
# The demo seller's verified account for payouts (bank, holder, number, MFO). The sandbox payout
# provider pays any number except one ending in 0000.
DEMO_BANK_ACCOUNT = ("Kapitalbank", "GoGo Savdo MChJ", "20208000900123456001", "01018")
# Generated (non-demo) accounts live under this domain.
GENERATED_EMAIL_DOMAIN = "demo.gogomarket.uz"


# --- sizes --------------------------------------------------------------------------------
@dataclass(frozen=True)
class SeedSize:
    sellers: int
    buyers: int
    couriers: int
    products: int


SIZES = {
    "small": SeedSize(sellers=12, buyers=20, couriers=5, products=150),
    "medium": SeedSize(sellers=30, buyers=80, couriers=12, products=800),
    "large": SeedSize(sellers=80, buyers=300, couriers=30, products=4000),
}
DEFAULT_SEED = 2026


# --- platform settings --------------------------------------------------------------------
# (key, value, type, is_public, description)
SETTINGS = (
    ("platform_name", "GOGOMARKET", "string", True, "Platforma nomi (sarlavha, xatlar, SMS)."),
    ("default_currency", "UZS", "string", True, "Narxlar va hisob-kitoblar valyutasi."),
    ("support_phone", "+998 71 200 20 26", "string", True, "Qo'llab-quvvatlash xizmati telefoni."),
    ("support_email", "support@gogomarket.uz", "string", True, "Qo'llab-quvvatlash xizmati manzili."),
    ("min_order_amount", 30000, "number", True, "Buyurtmaning eng kam summasi, so'm."),
    ("commission_rate_percent", 10, "number", False, "Platforma komissiyasi, buyurtma summasidan foiz."),
    ("payout_hold_days", 14, "number", False, "Sotuvchiga to'lov qancha kun ushlab turiladi."),
    ("card_payment_timeout_minutes", 30, "number", False, "Karta orqali to'lov kutish vaqti, daqiqa."),
    ("bank_transfer_timeout_days", 3, "number", False, "Bank o'tkazmasi kutish muddati, kun."),
    ("return_window_days", 14, "number", True, "Tovarni qaytarish muddati, kun."),
)


# --- delivery zones: Tashkent districts ---------------------------------------------------
@dataclass(frozen=True)
class District:
    name: str  # as people write it: "Yunusobod"
    centre: tuple  # (lon, lat), a point well inside the polygon
    polygon: tuple  # ring of (lon, lat), not closed; neighbours share their boundary vertices
    streets: tuple
    postal_code: str
    base_cost: int  # standard tariff base cost, UZS: the centre is cheaper than the outskirts
    express: bool = True  # whether an express tariff is offered


# Approximate district boundaries, drawn so that neighbouring districts share their edges
# (no overlaps, no gaps in the city centre). Good enough to route a demo order, not for a map.
DISTRICTS = (
    District(
        "Yunusobod",
        (69.285, 41.360),
        (
            (69.255, 41.325),
            (69.268, 41.325),
            (69.290, 41.322),
            (69.315, 41.325),
            (69.320, 41.345),
            (69.318, 41.370),
            (69.305, 41.392),
            (69.275, 41.398),
            (69.255, 41.385),
            (69.258, 41.362),
            (69.255, 41.340),
        ),
        (
            "Amir Temur shoh ko'chasi",
            "Bog'ishamol ko'chasi",
            "Yunusobod 11-mavze",
            "Ahmad Donish ko'chasi",
            "Shahriston ko'chasi",
        ),
        "100084",
        15000,
    ),
    District(
        "Mirzo Ulug'bek",
        (69.355, 41.345),
        (
            (69.315, 41.325),
            (69.320, 41.310),
            (69.350, 41.308),
            (69.385, 41.312),
            (69.402, 41.330),
            (69.398, 41.360),
            (69.375, 41.385),
            (69.340, 41.395),
            (69.305, 41.392),
            (69.318, 41.370),
            (69.320, 41.345),
        ),
        (
            "Mustaqillik shoh ko'chasi",
            "Buyuk Ipak Yo'li ko'chasi",
            "Qorasuv-3 mavzesi",
            "Mirzo Ulug'bek shoh ko'chasi",
            "Sayram ko'chasi",
        ),
        "100170",
        15000,
    ),
    District(
        "Olmazor",
        (69.210, 41.365),
        (
            (69.170, 41.340),
            (69.200, 41.340),
            (69.255, 41.340),
            (69.258, 41.362),
            (69.255, 41.385),
            (69.225, 41.395),
            (69.190, 41.390),
            (69.168, 41.372),
            (69.160, 41.352),
        ),
        ("Farobiy ko'chasi", "Qoraqamish 2/3 mavzesi", "Sag'bon ko'chasi", "Olmazor ko'chasi"),
        "100095",
        18000,
    ),
    District(
        "Shayxontohur",
        (69.232, 41.320),
        (
            (69.200, 41.300),
            (69.232, 41.300),
            (69.250, 41.302),
            (69.268, 41.300),
            (69.268, 41.325),
            (69.255, 41.325),
            (69.255, 41.340),
            (69.200, 41.340),
            (69.198, 41.320),
        ),
        ("Navoiy ko'chasi", "Zarqaynar ko'chasi", "Chorsu maydoni", "Abdulla Qodiriy ko'chasi"),
        "100011",
        15000,
    ),
    District(
        "Mirobod",
        (69.294, 41.292),
        (
            (69.268, 41.300),
            (69.268, 41.325),
            (69.290, 41.322),
            (69.315, 41.325),
            (69.320, 41.310),
            (69.322, 41.285),
            (69.318, 41.262),
            (69.295, 41.258),
            (69.270, 41.262),
            (69.268, 41.280),
        ),
        ("Nukus ko'chasi", "Oybek ko'chasi", "Afrosiyob ko'chasi", "Taras Shevchenko ko'chasi"),
        "100015",
        15000,
    ),
    District(
        "Yakkasaroy",
        (69.250, 41.281),
        (
            (69.232, 41.300),
            (69.250, 41.302),
            (69.268, 41.300),
            (69.268, 41.280),
            (69.270, 41.262),
            (69.250, 41.258),
            (69.232, 41.262),
            (69.228, 41.282),
        ),
        ("Shota Rustaveli ko'chasi", "Bobur ko'chasi", "Qushbegi ko'chasi", "Kichik halqa yo'li"),
        "100070",
        15000,
    ),
    District(
        "Chilonzor",
        (69.195, 41.280),
        (
            (69.160, 41.300),
            (69.200, 41.300),
            (69.232, 41.300),
            (69.228, 41.282),
            (69.232, 41.262),
            (69.210, 41.255),
            (69.190, 41.255),
            (69.165, 41.260),
            (69.150, 41.278),
        ),
        ("Bunyodkor shoh ko'chasi", "Qatortol ko'chasi", "Chilonzor 9-mavze", "Muqimiy ko'chasi"),
        "100115",
        18000,
    ),
    District(
        "Uchtepa",
        (69.162, 41.320),
        (
            (69.125, 41.300),
            (69.160, 41.300),
            (69.200, 41.300),
            (69.198, 41.320),
            (69.200, 41.340),
            (69.170, 41.340),
            (69.140, 41.338),
            (69.122, 41.322),
        ),
        ("Lutfiy ko'chasi", "Uchtepa 22-mavze", "Gavhar ko'chasi", "Foziltepa ko'chasi"),
        "100123",
        18000,
    ),
    District(
        "Yashnobod",
        (69.358, 41.285),
        (
            (69.320, 41.310),
            (69.350, 41.308),
            (69.385, 41.312),
            (69.400, 41.295),
            (69.395, 41.270),
            (69.365, 41.250),
            (69.340, 41.258),
            (69.318, 41.262),
            (69.322, 41.285),
        ),
        ("Tuzel mavzesi", "Maxtumquli ko'chasi", "Parkent ko'chasi", "Aviasozlar mavzesi"),
        "100023",
        18000,
    ),
    District(
        "Sergeli",
        (69.248, 41.225),
        (
            (69.190, 41.255),
            (69.210, 41.255),
            (69.232, 41.262),
            (69.250, 41.258),
            (69.270, 41.262),
            (69.295, 41.258),
            (69.300, 41.235),
            (69.295, 41.205),
            (69.265, 41.188),
            (69.230, 41.185),
            (69.200, 41.190),
            (69.195, 41.210),
        ),
        ("Sergeli 7-mavze", "Yangi Sergeli ko'chasi", "Quruvchilar ko'chasi", "Sergeli 4-mavze"),
        "100140",
        22000,
        False,
    ),
    District(
        "Bektemir",
        (69.338, 41.226),
        (
            (69.295, 41.258),
            (69.318, 41.262),
            (69.340, 41.258),
            (69.365, 41.250),
            (69.380, 41.230),
            (69.372, 41.205),
            (69.340, 41.195),
            (69.310, 41.195),
            (69.295, 41.205),
            (69.300, 41.235),
        ),
        ("Husayn Boyqaro ko'chasi", "Bektemir ko'chasi", "Suzuk ota ko'chasi"),
        "100147",
        25000,
        False,
    ),
    District(
        "Yangihayot",
        (69.158, 41.222),
        (
            (69.120, 41.250),
            (69.140, 41.258),
            (69.165, 41.260),
            (69.190, 41.255),
            (69.195, 41.210),
            (69.200, 41.190),
            (69.170, 41.180),
            (69.135, 41.190),
            (69.115, 41.220),
        ),
        ("Yangihayot ko'chasi", "Sputnik mavzesi", "Quyosh mavzesi"),
        "100159",
        25000,
        False,
    ),
)
CITY = "Tashkent"
COUNTRY = "Uzbekistan"


def zone_name(district):
    return f"{district.name} tumani"


# --- people -------------------------------------------------------------------------------
MALE_FIRST_NAMES = (
    "Aziz",
    "Bekzod",
    "Jasur",
    "Sardor",
    "Otabek",
    "Rustam",
    "Dilshod",
    "Sherzod",
    "Farrux",
    "Jamshid",
    "Timur",
    "Akmal",
    "Ulug'bek",
    "Sanjar",
    "Islom",
    "Doston",
    "Javohir",
    "Bobur",
    "Shoxrux",
    "Eldor",
)
FEMALE_FIRST_NAMES = (
    "Aziza",
    "Dilnoza",
    "Madina",
    "Nilufar",
    "Gulnora",
    "Kamola",
    "Shahnoza",
    "Malika",
    "Zarina",
    "Feruza",
    "Sevara",
    "Nodira",
    "Mohira",
    "Laylo",
    "Munisa",
    "Dildora",
    "Gulchehra",
    "Yulduz",
    "Barno",
    "Robiya",
)
# Male forms; the female form adds "a" (Karimov -> Karimova).
SURNAMES = (
    "Karimov",
    "Rahimov",
    "Tursunov",
    "Yusupov",
    "Abdullayev",
    "Aliyev",
    "Ismoilov",
    "Nazarov",
    "Saidov",
    "Qodirov",
    "Xolmatov",
    "Ergashev",
    "Mirzayev",
    "Sobirov",
    "Usmonov",
    "Hasanov",
    "Sultonov",
    "Umarov",
)
DELIVERY_INSTRUCTIONS = (
    "Qo'ng'iroq qilib keling, domofon ishlamaydi.",
    "Podyezd oldida kutib olaman.",
    "Ish vaqtida (9:00-18:00) olib keling.",
    "Позвоните за 30 минут до приезда.",
    None,
    None,
)


# Sellers ship from a warehouse or shop in the address book (their default address, the pickup
# point delivery prices the distance from); couriers live in the zone they work in.
PICKUP_LABELS = ("Ombor", "Do'kon")
PICKUP_INSTRUCTIONS = ("Kuryerlar uchun kirish hovli tomondan.", "Ish vaqti: 9:00-20:00.", None)
COURIER_LABELS = ("Uy",)

# --- demo orders --------------------------------------------------------------------------
# One demo order per status for the demo buyer, and one per status for other buyers (from the demo
# seller, so the seller center shows every status too). Each is placed through checkout and
# walked through the lifecycle to its status. Its buyer note starts with "<prefix> <NN>.", the
# order's natural key for seed_demo (order numbers come from a sequence).
ORDER_STATUSES = (
    "pending", "confirmed", "processing", "ready_for_pickup", "picked_up", "in_transit", "delivered", "cancelled",
    "refunded",
)  # fmt: skip
ORDER_NOTE_PREFIX = "Demo buyurtma"
ORDER_NOTES = (
    "Iltimos, kelishdan oldin qo'ng'iroq qiling.",
    "Sovg'a uchun, chiroyli qadoqlab bering.",
    "Kechqurun 18:00 dan keyin olib keling.",
    "Позвоните, пожалуйста, за час до доставки.",
    "Domofon: 45, 3-qavat.",
)
ORDER_CANCEL_NOTES = ("Boshqa do'kondan arzonroq topdim.", "Fikrimni o'zgartirdim.")
ORDER_REJECT_NOTES = ("Omborda qolmadi, uzr.", "Bu rang tugab qoldi.")
ORDER_REFUND_NOTE = "Mahsulot nuqsonli chiqdi: pul GoGoMoney hamyoniga qaytarildi."


@dataclass(frozen=True)
class Shop:
    name: str
    specialties: tuple  # slugs of top-level categories it sells in
    email: str | None = None  # None: generated from the name


ALL_TOPS = (
    "elektronika",
    "maishiy-texnika",
    "kiyim-kechak",
    "uy-va-bog",
    "gozallik-va-salomatlik",
    "bolalar-uchun",
    "oziq-ovqat",
    "sport-va-dam-olish",
)
SHOPS = (
    Shop("GoGo Savdo", ALL_TOPS, DEMO_SELLER_EMAIL),
    Shop("Registon Gadgets", ("elektronika",)),
    Shop("Chorsu Texno", ("elektronika", "maishiy-texnika")),
    Shop("Oila Texnikasi", ("maishiy-texnika",)),
    Shop("Ipak Yo'li Moda", ("kiyim-kechak",)),
    Shop("Marg'ilon Atlas Uyi", ("kiyim-kechak", "uy-va-bog")),
    Shop("Bog'bon Market", ("uy-va-bog",)),
    Shop("Zarafshon Beauty", ("gozallik-va-salomatlik",)),
    Shop("Navro'z Bolalar Dunyosi", ("bolalar-uchun",)),
    Shop("Farg'ona Mevalari", ("oziq-ovqat",)),
    Shop("Olimp Sport", ("sport-va-dam-olish",)),
    Shop("Rishton Sopol", ("uy-va-bog", "oziq-ovqat")),
    Shop("Humo Moda", ("kiyim-kechak", "gozallik-va-salomatlik")),
    Shop("Kamalak Kids", ("bolalar-uchun", "sport-va-dam-olish")),
    Shop("Sog'lom Hayot", ("gozallik-va-salomatlik", "oziq-ovqat")),
    Shop("Yangi Uy Mebel", ("uy-va-bog",)),
    Shop("Toshkent Texno Markaz", ("elektronika", "maishiy-texnika")),
    Shop("Buxoro Bozori", ("oziq-ovqat", "uy-va-bog")),
    Shop("Mahalla Market", ALL_TOPS),
    Shop("Samarqand Ta'mlari", ("oziq-ovqat",)),
)
# More shops for the larger sizes: "<prefix> <suffix>", specialties in turn.
SHOP_PREFIXES = ("Oltin", "Kumush", "Yulduz", "Baraka", "Omad", "Nur", "Bahor", "Sharq", "Zafar", "Orzu", "Ziyo")
SHOP_SUFFIXES = ("Savdo", "Market", "Do'koni", "Store", "Trade", "Plaza", "Center", "Shop")


# --- catalogue ----------------------------------------------------------------------------
# Colours used in variants and attributes.
COLORS = ("Qora", "Oq", "Kulrang", "Ko'k", "To'q ko'k", "Qizil", "Yashil", "Bej", "Jigarrang", "Pushti")
PHONE_COLORS = ("Qora", "Oq", "Ko'k", "Kumushrang", "Yashil")

# Parcel profiles: (weight kg min, max), (length, width, height) cm.
PACKS = {
    "phone": ((0.3, 0.5), (17, 9, 6)),
    "accessory": ((0.05, 0.3), (15, 10, 4)),
    "laptop": ((1.6, 3.0), (38, 27, 6)),
    "tablet": ((0.5, 1.0), (28, 20, 5)),
    "monitor": ((4.0, 8.0), (70, 45, 15)),
    "tv": ((8.0, 25.0), (125, 78, 15)),
    "audio": ((0.2, 0.6), (20, 15, 8)),
    "speaker": ((0.5, 2.5), (25, 15, 15)),
    "appliance_big": ((45.0, 90.0), (65, 60, 150)),
    "appliance_mid": ((8.0, 40.0), (55, 50, 50)),
    "appliance_small": ((1.0, 4.0), (32, 25, 25)),
    "clothing": ((0.2, 0.9), (35, 25, 5)),
    "shoes": ((0.7, 1.5), (33, 22, 12)),
    "furniture": ((30.0, 80.0), (200, 90, 80)),
    "furniture_small": ((8.0, 25.0), (120, 70, 10)),
    "kitchenware": ((0.5, 4.0), (35, 30, 20)),
    "textile": ((1.0, 5.0), (50, 40, 20)),
    "carpet": ((5.0, 20.0), (200, 30, 30)),
    "garden": ((0.5, 5.0), (100, 20, 10)),
    "cosmetic": ((0.05, 0.35), (12, 6, 6)),
    "hair": ((0.4, 1.0), (28, 20, 10)),
    "toy": ((0.3, 2.0), (40, 30, 10)),
    "stroller": ((7.0, 12.0), (90, 55, 40)),
    "diapers": ((2.0, 4.0), (40, 25, 20)),
    "food": ((0.1, 1.0), (20, 12, 8)),
    "food_bag": ((1.0, 5.0), (40, 25, 10)),
    "sport_heavy": ((5.0, 20.0), (45, 25, 20)),
    "bike": ((10.0, 18.0), (150, 25, 80)),
    "tent": ((1.5, 5.0), (60, 20, 20)),
    "bag": ((0.5, 1.5), (50, 30, 20)),
}

# Attributes every product of a top-level category gets: (name, possible values).
TOP_ATTRIBUTES = {
    "elektronika": (
        ("Kafolat", ("12 oy", "24 oy")),
        ("Ishlab chiqarilgan mamlakat", ("Xitoy", "Janubiy Koreya", "Vyetnam", "O'zbekiston")),
    ),
    "maishiy-texnika": (
        ("Kafolat", ("12 oy", "24 oy", "36 oy")),
        ("Ishlab chiqarilgan mamlakat", ("O'zbekiston", "Turkiya", "Xitoy", "Janubiy Koreya")),
        ("Energiya samaradorligi", ("A", "A+", "A++")),
    ),
    "kiyim-kechak": (
        ("Material", ("Paxta 100%", "Paxta 95%, elastan 5%", "Poliester", "Zig'ir", "Ipak", "Jun 80%")),
        ("Mavsum", ("Yoz", "Bahor-kuz", "Qish", "Mavsumsiz")),
        ("Ishlab chiqarilgan mamlakat", ("O'zbekiston", "Turkiya", "Xitoy")),
    ),
    "uy-va-bog": (
        ("Material", ("Yog'och", "Metall", "Keramika", "Plastmassa", "Paxta")),
        ("Ishlab chiqarilgan mamlakat", ("O'zbekiston", "Turkiya", "Xitoy", "Rossiya")),
    ),
    "gozallik-va-salomatlik": (
        ("Teri turi", ("Barcha turlar", "Quruq", "Yog'li", "Sezgir")),
        ("Ishlab chiqarilgan mamlakat", ("Fransiya", "Janubiy Koreya", "Germaniya", "Turkiya")),
        ("Yaroqlilik muddati", ("24 oy", "36 oy")),
    ),
    "bolalar-uchun": (
        ("Yosh", ("0+", "1+", "3+", "6+", "8+")),
        ("Ishlab chiqarilgan mamlakat", ("O'zbekiston", "Xitoy", "Turkiya", "Daniya")),
    ),
    "oziq-ovqat": (
        ("Yaroqlilik muddati", ("6 oy", "12 oy", "18 oy")),
        ("Saqlash sharoiti", ("Quruq, salqin joyda", "+4 °C dan +20 °C gacha")),
        ("Ishlab chiqarilgan joy", ("Farg'ona", "Samarqand", "Namangan", "Toshkent", "Surxondaryo")),
    ),
    "sport-va-dam-olish": (
        ("Material", ("Alyuminiy", "Po'lat", "Neylon", "Rezina", "Poliester")),
        ("Ishlab chiqarilgan mamlakat", ("Xitoy", "Tayvan", "Germaniya", "O'zbekiston")),
    ),
}

# A sentence about each top-level category, used in product descriptions.
TOP_BLURBS = {
    "elektronika": "Rasmiy kafolat, original mahsulot, sotuvdan keyingi xizmat ko'rsatish Toshkentda.",
    "maishiy-texnika": "Yetkazib berish va o'rnatish bo'yicha maslahat, rasmiy kafolat.",
    "kiyim-kechak": "Sifatli mato, o'lchamlar jadvali bo'yicha tanlang; mos kelmasa 14 kun ichida almashtiramiz.",
    "uy-va-bog": "Uyingiz uchun qulay va chidamli tanlov; mahalliy ustalar va ishonchli ishlab chiqaruvchilar.",
    "gozallik-va-salomatlik": "Sertifikatlangan mahsulot, yaroqlilik muddati uzoq; to'g'ridan-to'g'ri distribyutordan.",
    "bolalar-uchun": "Bolalar uchun xavfsiz materiallar, sifat sertifikati mavjud.",
    "oziq-ovqat": "Yangi hosil, gigiyenik qadoqlangan; O'zbekiston fermerlaridan.",
    "sport-va-dam-olish": "Faol hayot tarzi uchun: yengil, pishiq va qulay.",
}


@dataclass(frozen=True)
class Category:
    """One node of the tree. A leaf (no children) holds products: (brand, name, price in UZS)."""

    name: str
    description: str
    children: tuple = ()
    slug: str | None = None  # default: slugify(name), made unique with the parent's slug
    variants: str | None = None  # variant kind for a leaf's products, see builder.VARIANT_KINDS
    pack: str | None = None  # parcel profile from PACKS
    products: tuple = field(default=())
    color: tuple | None = None  # top level only: RGB background of the product pictures


def leaf(name, description, variants, pack, products, slug=None):
    return Category(name, description, slug=slug, variants=variants, pack=pack, products=tuple(products))


CATEGORY_TREE = (
    Category(
        "Elektronika",
        "Smartfonlar, noutbuklar, televizorlar va gadjetlar rasmiy kafolat bilan.",
        slug="elektronika",
        color=(37, 99, 235),
        children=(
            Category(
                "Telefonlar",
                "Smartfonlar, tugmali telefonlar va ularga aksessuarlar.",
                children=(
                    leaf(
                        "Smartfonlar",
                        "Android va iOS smartfonlari, 5G va NFC bilan.",
                        "phone",
                        "phone",
                        (
                            ("Samsung", "Smartfon Samsung Galaxy A55 5G", 4_990_000),
                            ("Xiaomi", "Smartfon Xiaomi Redmi Note 13 Pro", 3_450_000),
                            ("Apple", "Apple iPhone 15", 11_900_000),
                            ("Honor", "Смартфон Honor X8b", 2_790_000),
                            ("Samsung", "Smartfon Samsung Galaxy S24 FE", 8_450_000),
                            ("Xiaomi", "Смартфон Xiaomi Poco X6", 3_990_000),
                        ),
                    ),
                    leaf(
                        "Tugmali telefonlar",
                        "Uzoq ishlaydigan batareya, ikki SIM karta.",
                        "color",
                        "phone",
                        (
                            ("Nokia", "Nokia 105 (2023) ikki SIM", 259_000),
                            ("Nokia", "Nokia 3210 4G", 690_000),
                            ("Artel", "Artel Tesla 2 SIM tugmali telefon", 189_000),
                            ("Philips", "Телефон Philips Xenium E2602", 459_000),
                        ),
                    ),
                    leaf(
                        "Telefon aksessuarlari",
                        "G'iloflar, zaryadlovchilar, kabellar va himoya oynalari.",
                        "color",
                        "accessory",
                        (
                            ("Baseus", "Tez zaryadlovchi Baseus GaN 65W", 349_000),
                            ("Anker", "Kabel Anker USB-C - USB-C 1.8 m", 129_000),
                            ("Samsung", "Silikon g'ilof Samsung Galaxy A55 uchun", 149_000),
                            ("Xiaomi", "Powerbank Xiaomi 20000 mAh 22.5W", 329_000),
                            ("Spigen", "Himoya oynasi Spigen iPhone 15 uchun", 119_000),
                        ),
                    ),
                ),
            ),
            Category(
                "Kompyuterlar",
                "Noutbuklar, planshetlar, monitorlar va periferiya.",
                children=(
                    leaf(
                        "Noutbuklar",
                        "O'qish, ish va o'yinlar uchun noutbuklar.",
                        "color",
                        "laptop",
                        (
                            ("Lenovo", 'Noutbuk Lenovo IdeaPad Slim 3 15" Ryzen 5 16/512GB', 7_490_000),
                            ("HP", "Noutbuk HP 250 G10 Core i5 8/512GB", 6_290_000),
                            ("Asus", "Ноутбук ASUS TUF Gaming F15 RTX 4050", 12_900_000),
                            ("Apple", "Apple MacBook Air 13 M3 8/256GB", 15_900_000),
                            ("Acer", "Noutbuk Acer Aspire 3 A315 Core i3 8/256GB", 4_890_000),
                        ),
                    ),
                    leaf(
                        "Planshetlar",
                        "Planshetlar o'qish, chizish va ko'ngilochar uchun.",
                        "color",
                        "tablet",
                        (
                            ("Apple", "Apple iPad 10.9 Wi-Fi 64GB", 5_990_000),
                            ("Samsung", "Planshet Samsung Galaxy Tab A9+ 8/128GB", 3_290_000),
                            ("Xiaomi", "Планшет Xiaomi Redmi Pad SE 8/256GB", 2_890_000),
                            ("Lenovo", "Planshet Lenovo Tab M11 4/128GB", 2_490_000),
                        ),
                    ),
                    leaf(
                        "Monitorlar",
                        "IPS va VA monitorlar, 24 dan 34 dyuymgacha.",
                        None,
                        "monitor",
                        (
                            ("Samsung", 'Monitor Samsung 24" S3 IPS 75Hz', 1_690_000),
                            ("LG", 'Monitor LG UltraGear 27" 165Hz', 3_390_000),
                            ("Xiaomi", 'Монитор Xiaomi A27i 27" 100Hz', 1_890_000),
                            ("Dell", 'Monitor Dell P2423 24"', 2_990_000),
                        ),
                    ),
                    leaf(
                        "Klaviatura va sichqonchalar",
                        "Simli va simsiz klaviaturalar, sichqonchalar.",
                        "color",
                        "accessory",
                        (
                            ("Logitech", "Simsiz sichqoncha Logitech M185", 169_000),
                            ("Logitech", "Klaviatura Logitech K120 (lotin/kirill)", 149_000),
                            ("A4Tech", "Игровая мышь A4Tech Bloody V8M", 219_000),
                            ("Xiaomi", "Simsiz to'plam Xiaomi klaviatura + sichqoncha", 399_000),
                        ),
                    ),
                ),
            ),
            Category(
                "TV va audio",
                "Televizorlar, quloqchinlar va portativ kolonkalar.",
                children=(
                    leaf(
                        "Televizorlar",
                        "Smart TV, 4K va QLED televizorlar.",
                        None,
                        "tv",
                        (
                            ("Artel", 'Televizor Artel 43" Smart TV UA43H3502', 3_290_000),
                            ("Samsung", 'Televizor Samsung 55" Crystal UHD 4K', 6_990_000),
                            ("LG", 'Телевизор LG 50" 4K UHD webOS', 5_790_000),
                            ("Xiaomi", 'Televizor Xiaomi TV A 43" 2025', 3_590_000),
                            ("Hisense", 'Televizor Hisense 65" QLED 4K', 9_490_000),
                        ),
                    ),
                    leaf(
                        "Quloqchinlar",
                        "Simsiz va simli quloqchinlar, shovqinni bostirish bilan.",
                        "color",
                        "audio",
                        (
                            ("Apple", "Apple AirPods Pro (2-avlod) USB-C", 3_190_000),
                            ("Samsung", "Simsiz quloqchin Samsung Galaxy Buds FE", 990_000),
                            ("Xiaomi", "Наушники Xiaomi Redmi Buds 5", 349_000),
                            ("JBL", "Quloqchin JBL Tune 520BT", 590_000),
                            ("Sony", "Quloqchin Sony WH-CH720N", 1_490_000),
                        ),
                    ),
                    leaf(
                        "Portativ kolonkalar",
                        "Bluetooth kolonkalar uy va sayohat uchun.",
                        "color",
                        "speaker",
                        (
                            ("JBL", "Portativ kolonka JBL Flip 6", 1_390_000),
                            ("JBL", "Kolonka JBL Go 4", 490_000),
                            ("Xiaomi", "Колонка Xiaomi Mi Portable Speaker 16W", 390_000),
                            ("Sony", "Portativ kolonka Sony SRS-XB100", 690_000),
                        ),
                    ),
                ),
            ),
            Category(
                "Gadjetlar",
                "Aqlli soatlar, fitnes bilaguzuklar va aqlli uy qurilmalari.",
                children=(
                    leaf(
                        "Aqlli soatlar",
                        "Sog'liqni kuzatish va bildirishnomalar uchun aqlli soatlar.",
                        "color",
                        "accessory",
                        (
                            ("Apple", "Apple Watch SE 40mm (2-avlod)", 3_490_000),
                            ("Samsung", "Aqlli soat Samsung Galaxy Watch7 40mm", 3_290_000),
                            ("Xiaomi", "Умные часы Xiaomi Redmi Watch 4", 990_000),
                            ("Huawei", "Aqlli soat Huawei Watch Fit 3", 1_390_000),
                        ),
                    ),
                    leaf(
                        "Fitnes bilaguzuklar",
                        "Qadam, uyqu va yurak urishini kuzatuvchi bilaguzuklar.",
                        "color",
                        "accessory",
                        (
                            ("Xiaomi", "Fitnes bilaguzuk Xiaomi Smart Band 9", 449_000),
                            ("Huawei", "Fitnes bilaguzuk Huawei Band 9", 499_000),
                            ("Samsung", "Фитнес-браслет Samsung Galaxy Fit3", 790_000),
                        ),
                    ),
                    leaf(
                        "Aqlli uy",
                        "Aqlli lampalar, rozetkalar va kameralar.",
                        None,
                        "accessory",
                        (
                            ("Xiaomi", "Xiaomi Smart Camera C300 uy kamerasi", 449_000),
                            ("Xiaomi", "Aqlli lampa Xiaomi Mi LED Smart Bulb", 149_000),
                            ("TP-Link", "Aqlli rozetka TP-Link Tapo P100", 159_000),
                            ("Yandex", "Умная колонка Yandex Станция Лайт", 890_000),
                        ),
                    ),
                ),
            ),
        ),
    ),
    Category(
        "Maishiy texnika",
        "Uy uchun katta va kichik maishiy texnika: muzlatgichlardan choynaklargacha.",
        slug="maishiy-texnika",
        color=(14, 116, 144),
        children=(
            Category(
                "Yirik maishiy texnika",
                "Muzlatgichlar, kir yuvish mashinalari va gaz plitalari.",
                children=(
                    leaf(
                        "Muzlatgichlar",
                        "Ikki kamerali va Side-by-Side muzlatgichlar.",
                        "color",
                        "appliance_big",
                        (
                            ("Artel", "Muzlatgich Artel HD 455 RWENE", 5_490_000),
                            ("Samsung", "Muzlatgich Samsung RB34 No Frost", 8_290_000),
                            ("LG", "Холодильник LG GA-B509 DoorCooling+", 9_190_000),
                            ("Beko", "Muzlatgich Beko RCNK 310", 5_990_000),
                            ("Artel", "Muzlatgich Artel HS 228 RN", 3_190_000),
                        ),
                    ),
                    leaf(
                        "Kir yuvish mashinalari",
                        "Avtomat kir yuvish mashinalari, 6-10 kg.",
                        None,
                        "appliance_big",
                        (
                            ("Artel", "Kir yuvish mashinasi Artel ART-WF70 7 kg", 3_690_000),
                            ("Samsung", "Kir yuvish mashinasi Samsung WW80 8 kg Eco Bubble", 6_490_000),
                            ("LG", "Стиральная машина LG F2J3 7 кг", 5_290_000),
                            ("Bosch", "Kir yuvish mashinasi Bosch Serie 4 9 kg", 8_990_000),
                        ),
                    ),
                    leaf(
                        "Gaz plitalari",
                        "Gaz va kombinatsiyalangan plitalar.",
                        "color",
                        "appliance_mid",
                        (
                            ("Artel", "Gaz plita Artel Apetito 10-G", 2_390_000),
                            ("Artel", "Gaz plita Artel Milagro 01-G", 2_890_000),
                            ("Hansa", "Газовая плита Hansa FCGW 51", 3_490_000),
                            ("Beko", "Gaz plita Beko FSGT 62110", 3_990_000),
                        ),
                    ),
                ),
            ),
            Category(
                "Oshxona texnikasi",
                "Mikroto'lqinli pechlar, choynaklar, blenderlar va multivarkalar.",
                children=(
                    leaf(
                        "Mikroto'lqinli pechlar",
                        "Grill va konveksiya funksiyali pechlar.",
                        "color",
                        "appliance_mid",
                        (
                            ("Artel", "Mikroto'lqinli pech Artel MW 20 L", 990_000),
                            ("Samsung", "Mikroto'lqinli pech Samsung MS23 23 L", 1_590_000),
                            ("LG", "Микроволновая печь LG MS2042DB", 1_290_000),
                        ),
                    ),
                    leaf(
                        "Elektr choynaklar",
                        "Shisha va metall choynaklar, tez qaynatish.",
                        "color",
                        "appliance_small",
                        (
                            ("Tefal", "Elektr choynak Tefal Express 1.7 L", 349_000),
                            ("Xiaomi", "Elektr choynak Xiaomi Mi Kettle 2", 329_000),
                            ("Philips", "Электрочайник Philips HD9350", 459_000),
                            ("Artel", "Elektr choynak Artel ART-KE 1.8 L", 189_000),
                        ),
                    ),
                    leaf(
                        "Blenderlar",
                        "Statsionar va qo'l blenderlari.",
                        "color",
                        "appliance_small",
                        (
                            ("Philips", "Blender Philips HR2221 700W", 790_000),
                            ("Bosch", "Qo'l blenderi Bosch ErgoMixx MSM66110", 690_000),
                            ("Tefal", "Блендер Tefal Blendforce BL42", 590_000),
                        ),
                    ),
                    leaf(
                        "Multivarkalar",
                        "Palov, sho'rva va pishiriqlar uchun multivarkalar.",
                        None,
                        "appliance_small",
                        (
                            ("Redmond", "Multivarka Redmond RMC-M95 5 L", 890_000),
                            ("Tefal", "Multivarka Tefal RK8121 Spherical Bowl", 1_490_000),
                            ("Artel", "Мультиварка Artel MC 4L", 590_000),
                            ("Xiaomi", "Multivarka Xiaomi Mi Smart Multifunctional Rice Cooker", 990_000),
                        ),
                    ),
                ),
            ),
            Category(
                "Iqlim va tozalash texnikasi",
                "Konditsionerlar, isitgichlar, changyutgichlar va dazmollar.",
                children=(
                    leaf(
                        "Konditsionerlar",
                        "Inverter konditsionerlar, Toshkent yozi uchun.",
                        None,
                        "appliance_mid",
                        (
                            ("Artel", "Konditsioner Artel Inverter 12 HF", 4_990_000),
                            ("Samsung", "Konditsioner Samsung WindFree 12", 8_490_000),
                            ("LG", "Кондиционер LG DualCool Inverter 09", 6_990_000),
                            ("Midea", "Konditsioner Midea Xtreme Inverter 12", 5_490_000),
                        ),
                    ),
                    leaf(
                        "Isitgichlar",
                        "Yog'li radiatorlar va konvektorlar.",
                        None,
                        "appliance_small",
                        (
                            ("Artel", "Yog'li radiator Artel 9 seksiya", 890_000),
                            ("Ballu", "Konvektor Ballu Enzo 2000W", 990_000),
                            ("Xiaomi", "Обогреватель Xiaomi Smart Space Heater S", 1_190_000),
                        ),
                    ),
                    leaf(
                        "Changyutgichlar",
                        "Simli, simsiz va robot changyutgichlar.",
                        "color",
                        "appliance_small",
                        (
                            ("Xiaomi", "Robot changyutgich Xiaomi Robot Vacuum E10", 2_490_000),
                            ("Samsung", "Changyutgich Samsung VC18 2000W", 1_290_000),
                            ("Dreame", "Simsiz changyutgich Dreame V10", 2_190_000),
                            ("Artel", "Пылесос Artel VCC 0120", 790_000),
                        ),
                    ),
                    leaf(
                        "Dazmollar",
                        "Bug'li dazmollar va bug' generatorlari.",
                        "color",
                        "appliance_small",
                        (
                            ("Philips", "Bug'li dazmol Philips DST 3020", 590_000),
                            ("Tefal", "Dazmol Tefal Easygliss FV5718", 690_000),
                            ("Braun", "Утюг Braun TexStyle 3", 490_000),
                        ),
                    ),
                ),
            ),
        ),
    ),
    Category(
        "Kiyim-kechak",
        "Erkaklar, ayollar kiyimi, poyabzal va milliy liboslar.",
        slug="kiyim-kechak",
        color=(190, 24, 93),
        children=(
            Category(
                "Erkaklar",
                "Erkaklar uchun ko'ylaklar, shimlar, kurtkalar va futbolkalar.",
                children=(
                    leaf(
                        "Ko'ylaklar",
                        "Klassik va kundalik erkaklar ko'ylaklari.",
                        "clothing",
                        "clothing",
                        (
                            ("Baraka Textile", "Erkaklar klassik ko'ylagi, paxta, slim fit", 249_000),
                            ("Colin's", "Erkaklar oksford ko'ylagi", 289_000),
                            ("LC Waikiki", "Мужская рубашка из льна", 219_000),
                            ("Baraka Textile", "Erkaklar ko'ylagi, qisqa yengli, katakli", 179_000),
                        ),
                    ),
                    leaf(
                        "Shimlar",
                        "Klassik shimlar, jinsi va chinos.",
                        "clothing",
                        "clothing",
                        (
                            ("Levi's", "Erkaklar jinsi shimi Levi's 511 Slim", 890_000),
                            ("Colin's", "Erkaklar chinos shimi", 329_000),
                            ("LC Waikiki", "Мужские классические брюки", 299_000),
                        ),
                    ),
                    leaf(
                        "Kurtkalar",
                        "Kuz va qish uchun kurtkalar va paltolar.",
                        "clothing",
                        "clothing",
                        (
                            ("Columbia", "Erkaklar qishki kurtkasi Columbia", 1_890_000),
                            ("Baraka Textile", "Erkaklar yengil kurtkasi, suv o'tkazmaydigan", 590_000),
                            ("Zolla", "Мужская куртка-пуховик", 990_000),
                        ),
                    ),
                    leaf(
                        "Futbolkalar",
                        "Paxtali futbolkalar va polo.",
                        "clothing",
                        "clothing",
                        (
                            ("Baraka Textile", "Erkaklar futbolkasi, 100% paxta, O'zbekistonda tikilgan", 99_000),
                            ("Adidas", "Futbolka Adidas Essentials", 349_000),
                            ("Puma", "Поло Puma Essentials", 399_000),
                            ("Nike", "Futbolka Nike Sportswear Club", 389_000),
                        ),
                    ),
                ),
            ),
            Category(
                "Ayollar",
                "Ayollar uchun liboslar, bluzkalar, yubkalar va milliy kiyimlar.",
                children=(
                    leaf(
                        "Liboslar",
                        "Kundalik va bayramona ayollar liboslari.",
                        "clothing",
                        "clothing",
                        (
                            ("Humo Collection", "Ayollar yozgi libosi, shtapel", 289_000),
                            ("LC Waikiki", "Женское платье миди", 349_000),
                            ("Humo Collection", "Bayramona kechki libos", 790_000),
                            ("Koton", "Ayollar trikotaj libosi", 399_000),
                        ),
                    ),
                    leaf(
                        "Bluzkalar",
                        "Ipak, shifon va paxta bluzkalar.",
                        "clothing",
                        "clothing",
                        (
                            ("Koton", "Ayollar shifon bluzkasi", 259_000),
                            ("Humo Collection", "Ipak bluzka, milliy naqshli", 389_000),
                            ("LC Waikiki", "Женская блузка из вискозы", 199_000),
                        ),
                    ),
                    leaf(
                        "Yubkalar",
                        "Midi, maksi va plisse yubkalar.",
                        "clothing",
                        "clothing",
                        (
                            ("Koton", "Plisse yubka midi", 289_000),
                            ("Humo Collection", "Ayollar maksi yubkasi", 249_000),
                            ("Zara", "Юбка миди из экокожи", 459_000),
                        ),
                    ),
                    leaf(
                        "Milliy liboslar",
                        "Atlas va adras liboslar, Marg'ilon ustalari ishi.",
                        "clothing",
                        "clothing",
                        (
                            ("Marg'ilon Atlas", "Atlas ko'ylak, Marg'ilon xon-atlasi", 690_000),
                            ("Marg'ilon Atlas", "Adras nimcha, qo'lda tikilgan", 459_000),
                            ("Qo'qon Ipak", "Ipak ro'mol, milliy naqsh", 189_000),
                            ("Marg'ilon Atlas", "Erkaklar to'ni (chopon), baxmal", 1_290_000),
                        ),
                    ),
                ),
            ),
            Category(
                "Poyabzal",
                "Erkaklar va ayollar poyabzali, krossovkalar.",
                children=(
                    leaf(
                        "Erkaklar poyabzali",
                        "Tufli, botinka va mokasinlar.",
                        "shoes",
                        "shoes",
                        (
                            ("Ecco", "Erkaklar charm tuflisi Ecco", 1_590_000),
                            ("Baraka Shoes", "Erkaklar qishki botinkasi, tabiiy charm", 690_000),
                            ("Respect", "Мужские мокасины из замши", 590_000),
                        ),
                    ),
                    leaf(
                        "Ayollar poyabzali",
                        "Tufli, botilon va sandallar.",
                        "shoes",
                        "shoes",
                        (
                            ("Respect", "Ayollar tuflisi, o'rta poshnali", 549_000),
                            ("Ecco", "Ayollar botiloni Ecco", 1_690_000),
                            ("Baraka Shoes", "Женские сандалии на платформе", 329_000),
                        ),
                    ),
                    leaf(
                        "Krossovkalar",
                        "Yugurish va kundalik krossovkalar.",
                        "shoes",
                        "shoes",
                        (
                            ("Nike", "Krossovka Nike Air Max SC", 1_190_000),
                            ("Adidas", "Krossovka Adidas Runfalcon 3.0", 890_000),
                            ("New Balance", "Кроссовки New Balance 574", 1_390_000),
                            ("Puma", "Krossovka Puma Smash v2", 790_000),
                        ),
                    ),
                ),
            ),
        ),
    ),
    Category(
        "Uy va bog'",
        "Mebel, oshxona anjomlari, uy tekstili va bog' uchun hamma narsa.",
        slug="uy-va-bog",
        color=(22, 163, 74),
        children=(
            Category(
                "Mebel",
                "Yumshoq mebel, stollar va shkaflar.",
                children=(
                    leaf(
                        "Divanlar",
                        "To'g'ri va burchakli divanlar, yoyiladigan.",
                        "color",
                        "furniture",
                        (
                            ("Yangi Uy", 'Burchakli divan "Samarqand", yoyiladigan', 5_490_000),
                            ("Yangi Uy", 'Divan-krovat "Comfort"', 3_290_000),
                            ("Mebel Lux", 'Диван прямой "Скандинавия"', 4_190_000),
                        ),
                    ),
                    leaf(
                        "Stollar",
                        "Oshxona, yozuv va jurnal stollari.",
                        "color",
                        "furniture_small",
                        (
                            ("Yangi Uy", "Oshxona stoli, 6 kishilik, MDF", 1_690_000),
                            ("IKEA", "Yozuv stoli IKEA Micke", 1_290_000),
                            ("Mebel Lux", "Журнальный столик из массива", 890_000),
                            ("Yangi Uy", "Xontaxta, yong'oq yog'ochidan", 1_190_000),
                        ),
                    ),
                    leaf(
                        "Shkaflar",
                        "Kiyim shkaflari va kupe shkaflar.",
                        "color",
                        "furniture",
                        (
                            ("Yangi Uy", "Kupe shkaf 3 eshikli, oynali", 3_990_000),
                            ("Mebel Lux", "Шкаф для одежды 2-дверный", 2_290_000),
                            ("IKEA", "Kiyim shkafi IKEA Brimnes", 2_790_000),
                        ),
                    ),
                ),
            ),
            Category(
                "Oshxona anjomlari",
                "Idish-tovoq, qozonlar, choynak va piyolalar.",
                children=(
                    leaf(
                        "Idish-tovoqlar",
                        "Tovoqlar, kosa va lagan to'plamlari.",
                        None,
                        "kitchenware",
                        (
                            ("Rishton Kulolchilik", "Rishton lagani, qo'lda naqshlangan, 40 sm", 390_000),
                            ("Luminarc", "Tovoqlar to'plami Luminarc, 18 dona", 459_000),
                            ("Rishton Kulolchilik", "Kosalar to'plami, 6 dona, ishqor sirli", 290_000),
                            ("Tefal", "Набор сковородок Tefal Ingenio 3 предмета", 1_190_000),
                        ),
                    ),
                    leaf(
                        "Qozonlar",
                        "Cho'yan va alyuminiy qozonlar palov uchun.",
                        "volume_pot",
                        "kitchenware",
                        (
                            ("Baraka Metall", "Cho'yan qozon, qopqog'i bilan", 390_000),
                            ("Baraka Metall", "Alyuminiy qozon, Namangan quymasi", 290_000),
                            ("Kukmara", "Казан чугунный с крышкой", 459_000),
                        ),
                    ),
                    leaf(
                        "Choynak va piyolalar",
                        "Choy to'plamlari, paxta naqshli servizlar.",
                        None,
                        "kitchenware",
                        (
                            ("Toshkent Chinni", 'Choy to\'plami "Paxta" naqshi, 1 choynak + 6 piyola', 349_000),
                            ("Rishton Kulolchilik", "Sopol choynak, qo'lda bo'yalgan", 159_000),
                            ("Toshkent Chinni", "Piyolalar to'plami, 6 dona, kobalt naqsh", 149_000),
                            ("Bohemia", "Чайный сервиз Bohemia, 15 предметов", 890_000),
                        ),
                    ),
                ),
            ),
            Category(
                "Uy tekstili",
                "Ko'rpa-yostiq, gilamlar va pardalar.",
                children=(
                    leaf(
                        "Ko'rpa va yostiqlar",
                        "Paxta va jun ko'rpalar, ortopedik yostiqlar.",
                        "bedding",
                        "textile",
                        (
                            ("Baraka Textile", "Paxta ko'rpa, qo'lda qavilgan", 690_000),
                            ("Baraka Textile", "Ortopedik yostiq, memory foam", 249_000),
                            ("Togas", "Одеяло из верблюжьей шерсти", 890_000),
                        ),
                    ),
                    leaf(
                        "Gilamlar",
                        "Mashinada to'qilgan va qo'lda to'qilgan gilamlar.",
                        "carpet",
                        "carpet",
                        (
                            ("Samarqand Gilam", "Gilam, an'anaviy naqsh, jun aralash", 1_490_000),
                            ("Samarqand Gilam", "Ipak gilam, qo'lda to'qilgan", 8_900_000),
                            ("Merinos", "Ковер Merinos, современный дизайн", 1_190_000),
                        ),
                    ),
                    leaf(
                        "Pardalar",
                        "Tyul, blackout va rulonli pardalar.",
                        "color",
                        "textile",
                        (
                            ("Baraka Textile", "Blackout parda, 2 dona, 150x260 sm", 390_000),
                            ("Home Deco", "Tyul parda, vual, 300x260 sm", 219_000),
                            ("Home Deco", "Рулонная штора, 80x170 см", 189_000),
                        ),
                    ),
                ),
            ),
            Category(
                "Bog' va dala hovli",
                "Bog' asboblari, sug'orish va bog' mebeli.",
                children=(
                    leaf(
                        "Bog' asboblari",
                        "Belkurak, ketmon, qaychilar va arralar.",
                        None,
                        "garden",
                        (
                            ("Fiskars", "Bog' qaychisi Fiskars PowerGear", 349_000),
                            ("Baraka Metall", "Ketmon, po'lat, dastasi bilan", 89_000),
                            ("Gardena", "Лопата штыковая Gardena", 259_000),
                            ("Bosch", "Akkumulyatorli arra Bosch EasyChain 18", 1_990_000),
                        ),
                    ),
                    leaf(
                        "Sug'orish",
                        "Shlanglar, purkagichlar va tomchilatib sug'orish.",
                        None,
                        "garden",
                        (
                            ("Gardena", "Sug'orish shlangi Gardena 20 m", 390_000),
                            ("Gardena", "Purkagich (dozhdevatel) Gardena", 189_000),
                            ("Baraka Agro", "Tomchilatib sug'orish to'plami, 50 o'simlik", 290_000),
                        ),
                    ),
                    leaf(
                        "Bog' mebeli",
                        "Supalar, stullar va soyabonlar.",
                        "color",
                        "furniture_small",
                        (
                            ("Baraka Metall", "Bog' supasi (so'ri), metall karkas", 2_490_000),
                            ("Keter", "Bog' stullari to'plami, 4 dona", 1_390_000),
                            ("Home Deco", "Садовый зонт 3 м", 690_000),
                        ),
                    ),
                ),
            ),
        ),
    ),
    Category(
        "Go'zallik va salomatlik",
        "Parfyumeriya, teri va soch parvarishi, makiyaj vositalari.",
        slug="gozallik-va-salomatlik",
        color=(219, 39, 119),
        children=(
            Category(
                "Parfyumeriya",
                "Ayollar va erkaklar atirlari.",
                children=(
                    leaf(
                        "Ayollar atirlari",
                        "Gulli, mevali va sharqona atirlar.",
                        "volume",
                        "cosmetic",
                        (
                            ("Lancome", "Atir Lancome La Vie Est Belle EDP", 1_590_000),
                            ("Chanel", "Chanel Coco Mademoiselle EDP", 2_390_000),
                            ("Zara", "Туалетная вода Zara Red Temptation", 349_000),
                        ),
                    ),
                    leaf(
                        "Erkaklar atirlari",
                        "Yog'ochli, tamaki va sport atirlar.",
                        "volume",
                        "cosmetic",
                        (
                            ("Dior", "Dior Sauvage EDT", 1_990_000),
                            ("Hugo Boss", "Hugo Boss Bottled EDT", 1_290_000),
                            ("Lattafa", "Парфюмерная вода Lattafa Asad", 459_000),
                        ),
                    ),
                ),
            ),
            Category(
                "Yuz parvarishi",
                "Kremlar, syvorotkalar va tozalash vositalari.",
                children=(
                    leaf(
                        "Kremlar",
                        "Namlantiruvchi va quyoshdan himoya kremlari.",
                        "volume",
                        "cosmetic",
                        (
                            ("La Roche-Posay", "Namlantiruvchi krem La Roche-Posay Toleriane", 349_000),
                            ("Nivea", "Yuz kremi Nivea Soft", 69_000),
                            ("CeraVe", "Увлажняющий крем CeraVe", 289_000),
                            ("Missha", "Quyoshdan himoya kremi Missha SPF50+", 189_000),
                        ),
                    ),
                    leaf(
                        "Yuz tozalash",
                        "Penkalar, gellar va mitsellyar suv.",
                        "volume",
                        "cosmetic",
                        (
                            ("Garnier", "Mitsellyar suv Garnier 400 ml", 89_000),
                            ("CeraVe", "Tozalovchi gel CeraVe", 229_000),
                            ("Cosrx", "Пенка для умывания COSRX", 159_000),
                        ),
                    ),
                ),
            ),
            Category(
                "Soch parvarishi",
                "Shampunlar, balzamlar va soch fenlari.",
                children=(
                    leaf(
                        "Shampunlar",
                        "Har xil soch turlari uchun shampun va balzamlar.",
                        "volume",
                        "cosmetic",
                        (
                            ("L'Oreal", "Shampun L'Oreal Elseve Gialuron", 79_000),
                            ("Head & Shoulders", "Kepakka qarshi shampun Head & Shoulders", 69_000),
                            ("Kerastase", "Шампунь Kerastase Nutritive", 590_000),
                        ),
                    ),
                    leaf(
                        "Soch fenlari va dazmollar",
                        "Fenlar, styler va soch to'g'rilagichlar.",
                        "color",
                        "hair",
                        (
                            ("Dyson", "Fen Dyson Supersonic", 6_490_000),
                            ("Philips", "Fen Philips BHD 2000W", 490_000),
                            ("Rowenta", "Выпрямитель Rowenta Optiliss", 390_000),
                            ("Xiaomi", "Fen Xiaomi Compact Hair Dryer H101", 229_000),
                        ),
                    ),
                ),
            ),
            Category(
                "Makiyaj",
                "Lab bo'yoqlari, tush va tonal vositalar.",
                children=(
                    leaf(
                        "Lab bo'yoqlari",
                        "Matli va yaltiroq lab bo'yoqlari.",
                        "shade",
                        "cosmetic",
                        (
                            ("Maybelline", "Lab bo'yog'i Maybelline SuperStay Matte Ink", 149_000),
                            ("MAC", "MAC Matte Lipstick", 390_000),
                            ("Essence", "Блеск для губ Essence", 49_000),
                        ),
                    ),
                    leaf(
                        "Tush",
                        "Hajm beruvchi va uzaytiruvchi tushlar.",
                        None,
                        "cosmetic",
                        (
                            ("Maybelline", "Tush Maybelline Lash Sensational Sky High", 159_000),
                            ("L'Oreal", "Tush L'Oreal Telescopic", 139_000),
                            ("Essence", "Тушь Essence Lash Princess", 59_000),
                        ),
                    ),
                    leaf(
                        "Tonal vositalar",
                        "Tonal krem, BB va kushonlar.",
                        "shade",
                        "cosmetic",
                        (
                            ("Estee Lauder", "Tonal krem Estee Lauder Double Wear", 790_000),
                            ("Missha", "BB krem Missha M Perfect Cover", 189_000),
                            ("Maybelline", "Тональный крем Maybelline Fit Me", 149_000),
                        ),
                    ),
                ),
            ),
        ),
    ),
    Category(
        "Bolalar uchun",
        "O'yinchoqlar, bolalar kiyimi va chaqaloq parvarishi.",
        slug="bolalar-uchun",
        color=(234, 88, 12),
        children=(
            Category(
                "O'yinchoqlar",
                "Konstruktorlar, qo'g'irchoqlar va mashinalar.",
                children=(
                    leaf(
                        "Konstruktorlar",
                        "Rivojlantiruvchi konstruktorlar barcha yoshlar uchun.",
                        None,
                        "toy",
                        (
                            ("LEGO", "Konstruktor LEGO City Politsiya uchastkasi", 1_290_000),
                            ("LEGO", "LEGO Classic ijodiy quti, 790 detal", 790_000),
                            ("Cobi", "Конструктор Cobi Военная техника", 459_000),
                            ("Magformers", "Magnitli konstruktor Magformers 30 detal", 590_000),
                        ),
                    ),
                    leaf(
                        "Qo'g'irchoqlar",
                        "Qo'g'irchoqlar va ularning uylari.",
                        None,
                        "toy",
                        (
                            ("Barbie", "Qo'g'irchoq Barbie Dreamhouse sarguzashtlari", 390_000),
                            ("Baby Born", "Qo'g'irchoq Baby Born interaktiv", 890_000),
                            ("Navro'z Toys", "Qo'g'irchoq milliy libosda, atlas ko'ylakli", 189_000),
                        ),
                    ),
                    leaf(
                        "Mashinalar",
                        "Radioboshqariladigan va inersion mashinalar.",
                        "color",
                        "toy",
                        (
                            ("Hot Wheels", "Hot Wheels mashinalar to'plami, 5 dona", 149_000),
                            ("Maisto", "Radioboshqariladigan mashina Maisto 1:24", 349_000),
                            ("Navro'z Toys", 'Инерционная машинка "Самосвал"', 99_000),
                        ),
                    ),
                ),
            ),
            Category(
                "Bolalar kiyimi",
                "Qizlar, o'g'il bolalar va chaqaloqlar kiyimi.",
                children=(
                    leaf(
                        "Qizlar uchun",
                        "Ko'ylakchalar, kofta va shimchalar.",
                        "kids",
                        "clothing",
                        (
                            ("Kamalak Kids", "Qizlar ko'ylakchasi, paxta", 149_000),
                            ("LC Waikiki", "Qizlar uchun kofta", 129_000),
                            ("Kamalak Kids", "Платье для девочки нарядное", 229_000),
                        ),
                    ),
                    leaf(
                        "O'g'il bolalar uchun",
                        "Futbolka, shim va kurtkalar.",
                        "kids",
                        "clothing",
                        (
                            ("Kamalak Kids", "O'g'il bolalar futbolkasi, 2 dona", 119_000),
                            ("LC Waikiki", "O'g'il bolalar jinsi shimi", 159_000),
                            ("Kamalak Kids", "Куртка для мальчика демисезонная", 349_000),
                        ),
                    ),
                    leaf(
                        "Chaqaloqlar uchun",
                        "Bodi, slip va konvertlar.",
                        "baby",
                        "clothing",
                        (
                            ("Kamalak Kids", "Chaqaloq bodilari to'plami, 5 dona, organik paxta", 189_000),
                            ("Carter's", "Chaqaloq slipi Carter's", 149_000),
                            ("Kamalak Kids", "Конверт на выписку", 390_000),
                        ),
                    ),
                ),
            ),
            Category(
                "Chaqaloq parvarishi",
                "Tagliklar, aravachalar va oziqlantirish.",
                children=(
                    leaf(
                        "Tagliklar",
                        "Tagliklar va taglik-trusiklar.",
                        "diaper",
                        "diapers",
                        (
                            ("Pampers", "Tagliklar Pampers Premium Care", 259_000),
                            ("Huggies", "Tagliklar Huggies Elite Soft", 239_000),
                            ("Molfix", "Подгузники-трусики Molfix", 159_000),
                        ),
                    ),
                    leaf(
                        "Bolalar aravachalari",
                        "Yurgizish va transformer aravachalar.",
                        "color",
                        "stroller",
                        (
                            ("Chicco", "Aravacha Chicco Goody Plus", 3_490_000),
                            ("Babyzen", "Aravacha Babyzen YOYO2", 6_990_000),
                            ("Carrello", "Коляска-трость Carrello", 1_490_000),
                        ),
                    ),
                    leaf(
                        "Oziqlantirish",
                        "Butilkalar, so'rg'ichlar va bolalar idishlari.",
                        None,
                        "accessory",
                        (
                            ("Philips Avent", "Butilka Philips Avent Natural 260 ml", 129_000),
                            ("Chicco", "Bolalar idishlari to'plami Chicco", 149_000),
                            ("Philips Avent", "Молокоотсос Philips Avent ручной", 590_000),
                        ),
                    ),
                ),
            ),
        ),
    ),
    Category(
        "Oziq-ovqat",
        "Choy, quruq mevalar, shirinliklar va bakaleya mahsulotlari.",
        slug="oziq-ovqat",
        color=(202, 138, 4),
        children=(
            Category(
                "Choy va qahva",
                "Ko'k choy, qora choy va qahva.",
                children=(
                    leaf(
                        "Ko'k choy",
                        "O'zbekistonda eng sevimli ko'k choy navlari.",
                        "weight",
                        "food",
                        (
                            ("Toshkent Choy", 'Ko\'k choy "95", barg', 39_000),
                            ("Ahmad Tea", "Ko'k choy Ahmad Tea, 100 paket", 59_000),
                            ("Toshkent Choy", 'Ko\'k choy "110", Xitoy', 45_000),
                        ),
                    ),
                    leaf(
                        "Qora choy",
                        "Hind va Seylon qora choylari.",
                        "weight",
                        "food",
                        (
                            ("Ahmad Tea", "Qora choy Ahmad Tea English Breakfast", 69_000),
                            ("Akbar", "Qora choy Akbar Seylon, barg", 79_000),
                            ("Greenfield", "Чёрный чай Greenfield Golden Ceylon", 55_000),
                        ),
                    ),
                    leaf(
                        "Qahva",
                        "Donli, maydalangan va eruvchan qahva.",
                        "weight",
                        "food",
                        (
                            ("Lavazza", "Qahva donli Lavazza Qualita Oro", 249_000),
                            ("Jacobs", "Eruvchan qahva Jacobs Monarch", 129_000),
                            ("Nescafe", "Кофе растворимый Nescafe Gold", 119_000),
                        ),
                    ),
                ),
            ),
            Category(
                "Quruq mevalar va yong'oqlar",
                "Mayiz, o'rik qoqi va yong'oqlar O'zbekiston bog'laridan.",
                children=(
                    leaf(
                        "Mayiz",
                        "Kishmish, sabza va soyaki mayiz.",
                        "weight",
                        "food",
                        (
                            ("Farg'ona Mevalari", 'Mayiz "Soyaki", oltinrang', 59_000),
                            ("Farg'ona Mevalari", 'Mayiz "Kishmish", qora', 49_000),
                            ("Samarqand Bog'lari", 'Изюм "Джаус" отборный', 69_000),
                        ),
                    ),
                    leaf(
                        "O'rik qoqi",
                        "O'rik qoqi, turshak va boshqa quritilgan mevalar.",
                        "weight",
                        "food",
                        (
                            ("Farg'ona Mevalari", "O'rik qoqi (kuraga), oltin", 79_000),
                            ("Samarqand Bog'lari", "Turshak, Surxondaryo", 89_000),
                            ("Farg'ona Mevalari", "Курага сушёная без косточки", 75_000),
                        ),
                    ),
                    leaf(
                        "Yong'oqlar",
                        "Yong'oq, bodom va pista.",
                        "weight",
                        "food",
                        (
                            ("Samarqand Bog'lari", "Yong'oq mag'zi, tozalangan", 119_000),
                            ("Farg'ona Mevalari", "Bodom, Farg'ona", 149_000),
                            ("Buxoro Bozori", "Фисташки жареные солёные", 189_000),
                        ),
                    ),
                ),
            ),
            Category(
                "Shirinliklar",
                "Shokolad, pechenye va milliy shirinliklar.",
                children=(
                    leaf(
                        "Shokolad",
                        "Plitka shokolad va konfetlar.",
                        None,
                        "food",
                        (
                            ("Ritter Sport", "Shokolad Ritter Sport, 100 g", 35_000),
                            ("Milka", "Shokolad Milka Alpen Milk", 29_000),
                            ("Toshkent Konditer", "Конфеты шоколадные ассорти, 500 г", 89_000),
                        ),
                    ),
                    leaf(
                        "Pechenye",
                        "Pechenye, vafli va krekerlar.",
                        None,
                        "food",
                        (
                            ("Oreo", "Pechenye Oreo, 228 g", 32_000),
                            ("Toshkent Konditer", 'Sutli pechenye "Bolalik"', 19_000),
                            ("Lotus", "Печенье Lotus Biscoff", 39_000),
                        ),
                    ),
                    leaf(
                        "Milliy shirinliklar",
                        "Navvot, parvarda, holva va chak-chak.",
                        "weight",
                        "food",
                        (
                            ("Buxoro Bozori", "Navvot, tabiiy, kristall", 39_000),
                            ("Buxoro Bozori", "Parvarda, qo'lda tayyorlangan", 45_000),
                            ("Samarqand Ta'mlari", "Holva kunjutli", 55_000),
                            ("Samarqand Ta'mlari", "Чак-чак медовый", 49_000),
                        ),
                    ),
                ),
            ),
            Category(
                "Bakaleya",
                "Guruch, yog'lar va ziravorlar.",
                children=(
                    leaf(
                        "Guruch va don",
                        "Palov uchun guruch, no'xat va mosh.",
                        "weight_bulk",
                        "food_bag",
                        (
                            ("Farg'ona Mevalari", 'Guruch "Devzira", Farg\'ona, palov uchun', 49_000),
                            ("Xorazm Guruch", 'Guruch "Lazer", Xorazm', 35_000),
                            ("Buxoro Bozori", "No'xat, katta", 25_000),
                            ("Buxoro Bozori", "Маш зелёный", 29_000),
                        ),
                    ),
                    leaf(
                        "O'simlik yog'lari",
                        "Paxta, kungaboqar va zaytun yog'lari.",
                        "oil",
                        "food_bag",
                        (
                            ("Paxta Yog'i", "Paxta yog'i, tozalangan", 35_000),
                            ("Oltin Don", "Kungaboqar yog'i, 1 L", 25_000),
                            ("Borges", "Оливковое масло Borges Extra Virgin", 119_000),
                        ),
                    ),
                    leaf(
                        "Ziravorlar",
                        "Zira, qalampir, zafaron va palov ziravorlari.",
                        "weight_spice",
                        "food",
                        (
                            ("Buxoro Bozori", "Zira, Buxoro, butun", 29_000),
                            ("Buxoro Bozori", "Palov uchun ziravorlar to'plami", 25_000),
                            ("Samarqand Ta'mlari", "Qizil qalampir, maydalangan", 19_000),
                            ("Samarqand Ta'mlari", "Шафран, 1 г", 59_000),
                        ),
                    ),
                ),
            ),
        ),
    ),
    Category(
        "Sport va dam olish",
        "Fitnes, velosipedlar va turizm uchun tovarlar.",
        slug="sport-va-dam-olish",
        color=(79, 70, 229),
        children=(
            Category(
                "Fitnes",
                "Gantellar, yoga gilamchalari va trenajyorlar.",
                children=(
                    leaf(
                        "Gantellar",
                        "Yig'ma va quyma gantellar.",
                        "dumbbell",
                        "sport_heavy",
                        (
                            ("Torneo", "Yig'ma gantellar to'plami", 490_000),
                            ("Olimp Sport", "Gantel, neopren qoplamali", 89_000),
                            ("Kettler", "Гиря чугунная", 290_000),
                        ),
                    ),
                    leaf(
                        "Yoga gilamchalari",
                        "TPE va kauchuk gilamchalar.",
                        "color",
                        "accessory",
                        (
                            ("Olimp Sport", "Yoga gilamchasi TPE, 6 mm", 149_000),
                            ("Adidas", "Yoga gilamchasi Adidas 8 mm", 349_000),
                            ("Reebok", "Коврик для йоги Reebok", 290_000),
                        ),
                    ),
                    leaf(
                        "Trenajyorlar",
                        "Yugurish yo'laklari va velotrenajyorlar.",
                        None,
                        "appliance_big",
                        (
                            ("Xiaomi", "Yugurish yo'lagi Xiaomi KingSmith WalkingPad", 4_990_000),
                            ("Torneo", "Velotrenajyor Torneo Smart", 2_990_000),
                            ("Kettler", "Эллиптический тренажёр Kettler", 7_490_000),
                        ),
                    ),
                ),
            ),
            Category(
                "Velosipedlar va samokatlar",
                "Shahar va bolalar velosipedlari, elektr samokatlar.",
                children=(
                    leaf(
                        "Shahar velosipedlari",
                        "Shahar va tog' velosipedlari.",
                        "color",
                        "bike",
                        (
                            ("Stels", 'Velosiped Stels Navigator 26"', 2_490_000),
                            ("Merida", "Tog' velosipedi Merida Big.Seven 10", 6_490_000),
                            ("Giant", 'Велосипед Giant Talon 29"', 7_990_000),
                        ),
                    ),
                    leaf(
                        "Bolalar velosipedlari",
                        "Balans va pedalli bolalar velosipedlari.",
                        "color",
                        "bike",
                        (
                            ("Stels", 'Bolalar velosipedi Stels Pilot 16"', 1_190_000),
                            ("Navro'z Toys", "Balans velosiped, 2-5 yosh", 490_000),
                            ("Stels", 'Детский велосипед Stels Jet 14"', 990_000),
                        ),
                    ),
                    leaf(
                        "Samokatlar",
                        "Elektr va oddiy samokatlar.",
                        "color",
                        "sport_heavy",
                        (
                            ("Xiaomi", "Elektr samokat Xiaomi Electric Scooter 4", 5_490_000),
                            ("Ninebot", "Elektr samokat Ninebot KickScooter E2", 3_990_000),
                            ("Micro", "Самокат Micro Maxi Deluxe", 1_290_000),
                        ),
                    ),
                ),
            ),
            Category(
                "Turizm",
                "Chodirlar, ryukzaklar va termoslar: Chimyon va Chorvoq safarlari uchun.",
                children=(
                    leaf(
                        "Chodirlar",
                        "2-6 kishilik turistik chodirlar.",
                        None,
                        "tent",
                        (
                            ("Coleman", "Chodir Coleman Darwin 3", 1_290_000),
                            ("Quechua", "Chodir Quechua MH100, 2 kishilik", 690_000),
                            ("Tramp", "Палатка Tramp Lite Camp 4", 1_590_000),
                        ),
                    ),
                    leaf(
                        "Ryukzaklar",
                        "Tog' va shahar ryukzaklari.",
                        "color",
                        "bag",
                        (
                            ("Deuter", "Ryukzak Deuter Futura 32", 1_790_000),
                            ("Quechua", "Ryukzak Quechua NH Arpenaz 20 L", 249_000),
                            ("The North Face", "Рюкзак The North Face Borealis", 1_490_000),
                        ),
                    ),
                    leaf(
                        "Termoslar",
                        "Choy va ovqat uchun termoslar.",
                        "color",
                        "accessory",
                        (
                            ("Stanley", "Termos Stanley Classic 1 L", 690_000),
                            ("Thermos", "Termos Thermos, 0.5 L", 290_000),
                            ("Tramp", "Термос для еды Tramp 0.7 л", 349_000),
                        ),
                    ),
                ),
            ),
        ),
    ),
)

# Variant kinds: how a leaf's products split into variants. Each option is
# (attributes, price adjustment as a share of the base price, name). The base price is the
# first option's, so adjustments are never negative. "color" and the sized kinds combined
# with a colour are built in the builder from COLORS.
VARIANT_KINDS = {
    "phone": (
        ({"memory": "8/128 GB"}, 0, "8/128 GB"),
        ({"memory": "8/256 GB"}, 0.12, "8/256 GB"),
        ({"memory": "12/512 GB"}, 0.3, "12/512 GB"),
    ),
    "clothing": tuple(({"size": s}, 0, s) for s in ("S", "M", "L", "XL", "XXL")),
    "shoes": tuple(({"size": s}, 0, s) for s in ("39", "40", "41", "42", "43", "44")),
    "kids": tuple(({"size": s}, 0, f"{s} sm") for s in ("92", "98", "104", "110", "116", "122")),
    "baby": tuple(({"size": s}, 0, s) for s in ("0-3 oy", "3-6 oy", "6-9 oy", "9-12 oy")),
    "volume": (
        ({"volume": "30 ml"}, 0, "30 ml"),
        ({"volume": "50 ml"}, 0.5, "50 ml"),
        ({"volume": "100 ml"}, 1.4, "100 ml"),
    ),
    "volume_pot": (
        ({"volume": "8 L"}, 0, "8 L"),
        ({"volume": "12 L"}, 0.3, "12 L"),
        ({"volume": "16 L"}, 0.55, "16 L"),
    ),
    "weight": (
        ({"weight": "250 g"}, 0, "250 g"),
        ({"weight": "500 g"}, 0.85, "500 g"),
        ({"weight": "1 kg"}, 2.5, "1 kg"),
    ),
    "weight_bulk": (
        ({"weight": "1 kg"}, 0, "1 kg"),
        ({"weight": "5 kg"}, 3.8, "5 kg"),
        ({"weight": "25 kg"}, 18, "25 kg"),
    ),
    "weight_spice": (
        ({"weight": "100 g"}, 0, "100 g"),
        ({"weight": "250 g"}, 1.3, "250 g"),
    ),
    "oil": (
        ({"volume": "1 L"}, 0, "1 L"),
        ({"volume": "5 L"}, 3.7, "5 L"),
    ),
    "bedding": (
        ({"size": "1.5 kishilik"}, 0, "1.5 kishilik"),
        ({"size": "2 kishilik"}, 0.25, "2 kishilik"),
        ({"size": "Evro"}, 0.4, "Evro"),
    ),
    "carpet": (
        ({"size": "2x3 m"}, 0, "2x3 m"),
        ({"size": "3x4 m"}, 0.8, "3x4 m"),
        ({"size": "3x5 m"}, 1.3, "3x5 m"),
    ),
    "shade": tuple(({"shade": s}, 0, s) for s in ("01 Nude", "02 Rose", "03 Ruby", "04 Berry")),
    "diaper": tuple(({"size": s}, 0, s) for s in ("2 (4-8 kg)", "3 (6-10 kg)", "4 (9-14 kg)", "5 (11-16 kg)")),
    "dumbbell": (
        ({"weight": "2 kg"}, 0, "2 kg"),
        ({"weight": "5 kg"}, 1.2, "5 kg"),
        ({"weight": "10 kg"}, 2.8, "10 kg"),
    ),
}
