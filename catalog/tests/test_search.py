"""Product search (catalog.search) over the trigger-maintained ``product_search`` documents:
relevance, prefixes, typos, Uzbek and Russian spelling, visibility, upkeep by the triggers,
filters and pagination. Factories write products with plain INSERT/UPDATE, so the triggers
build the documents just as they do for the services."""

from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.enums import UserStatus
from accounts.tests.factories import SellerFactory, StaffFactory
from catalog import search, selectors, services
from catalog.enums import ProductStatus
from catalog.models import Product
from catalog.selectors import ListingFilters
from catalog.tests.factories import CategoryFactory, ProductAttributeFactory, ProductFactory

pytestmark = pytest.mark.django_db


def _ids(query, filters=None, sort="relevance", **kwargs):
    ids, _total, _capped = search.search_product_ids(
        search.parse(query), filters=filters or ListingFilters(), sort=sort, **kwargs
    )
    return ids


def _names(query, **kwargs):
    names = dict(Product.objects.values_list("pk", "name"))
    return [names[pk] for pk in _ids(query, **kwargs)]


def _product(name, description="Sifatli mahsulot, kafolat bilan.", **kwargs):
    return ProductFactory(
        name=name, description=description, short_description="", brand=kwargs.pop("brand", ""), **kwargs
    )


# --- relevance ----------------------------------------------------------------------------------
def test_the_exact_name_comes_first():
    # The exact match is the oldest: ties in rank go to newer products, so it must win on merit.
    exact = _product("Samsung Galaxy S24")
    _product("Samsung Galaxy S24 Ultra uchun chehol, Samsung Galaxy S24 himoya oynasi bilan")
    _product("Samsung Galaxy S24 Plus Samsung Galaxy S24 Samsung")
    assert _ids("samsung galaxy s24")[0] == exact.pk
    assert _ids("  SAMSUNG   Galaxy  s24 ")[0] == exact.pk


def test_the_exact_name_comes_first_even_with_punctuation_in_it():
    exact = _product("Wi-Fi router TP-Link Archer C6")
    _product("Wi-Fi router TP-Link Archer C6, Wi-Fi router TP-Link Archer C6 ikki dona")
    assert _ids("wi-fi router tp-link archer c6")[0] == exact.pk
    assert _ids("Wi-Fi router TP-Link Archer C6")[0] == exact.pk


def test_a_match_in_the_name_beats_a_match_in_the_description():
    in_description = _product(
        "Oshxona jihozi", description="Zamonaviy changyutgich uchun filtr va changyutgich sumkasi"
    )
    in_name = _product("Changyutgich Artel", description="Uy uchun kuchli qurilma")
    assert _ids("changyutgich") == [in_name.pk, in_description.pk]


def test_words_spread_over_the_name_and_the_description_still_match():
    # "samsung" is in the name only, "chehol" in the description only: the full text finds it
    cover = _product("Samsung Galaxy A55", description="Silikon chehol, qora rang")
    _product("Samsung Galaxy A35", description="Telefon, kafolat bilan")
    assert _ids("samsung chehol") == [cover.pk]
    ids, total, capped = search.search_product_ids(search.parse("samsung chehol"), filters=ListingFilters())
    assert (ids, total, capped) == ([cover.pk], 1, False)


def test_brand_counts_like_the_name():
    branded = _product("Kir yuvish mashinasi", brand="Shivaki")
    described = _product("Muzlatgich", description="Shivaki zavodida yig'ilgan")
    assert _ids("shivaki") == [branded.pk, described.pk]


def test_all_words_must_match():
    both = _product("Artel changyutgich")
    _product("Artel konditsioner")
    assert _ids("artel changyutgich") == [both.pk]


# --- prefixes and typos ---------------------------------------------------------------------------
def test_the_last_word_matches_as_a_prefix_while_typing():
    phone = _product("Samsung Galaxy A55")
    _product("Xiaomi Redmi Note 13")
    for typed in ("sa", "sams", "samsu", "Samsung gal", "galaxy a5"):
        assert _ids(typed) == [phone.pk], typed
    parsed, ids = search.suggestions("samsu")
    assert ids == [phone.pk] and not parsed.corrections


def test_a_misspelt_word_finds_the_nearest_vocabulary_word():
    phone = _product("Mobil telefon Samsung Galaxy A15")
    _product("Televizor Artel 43 dyuym")
    parsed = search.parse("telfon")
    assert parsed.corrections == {"telfon": "telefon"}
    assert parsed.corrected_text == "telefon"
    assert _ids("telfon") == [phone.pk]
    assert _ids("samsng galaxy") == [phone.pk]
    assert _ids("galxy samsung") == [phone.pk]
    assert _ids("zzzqqqxxx") == []


# --- Uzbek and Russian spelling -----------------------------------------------------------------
@pytest.mark.parametrize(
    "stored", ["Bolalar o'yinchoq mashinasi", "Bolalar oʻyinchoq mashinasi", "Bolalar o’yinchoq mashinasi"]
)
def test_uzbek_apostrophe_spellings_are_one_word(stored):
    toy = _product(stored)
    _product("Bolalar kiyimi")
    for typed in ("o'yinchoq", "oʻyinchoq", "o`yinchoq", "oʼyinchoq", "o’yinchoq", "oyinchoq", "O'YINCHOQ"):
        assert _ids(typed) == [toy.pk], typed
    # The apostrophe of g' too, and in the vocabulary for typo correction.
    brick = _product("G'isht qizil")
    assert _ids("gʻisht") == [brick.pk]
    assert _ids("gishtt") == [brick.pk]


def test_russian_words_are_stemmed():
    phone = _product("Мобильный телефон Samsung")
    _product("Наушники беспроводные")
    for typed in ("телефоны", "телефона", "Телефонов", "мобильные телефоны"):
        assert _ids(typed) == [phone.pk], typed


def test_yo_and_ye_are_the_same_letter():
    tree = _product("Новогодняя ёлка 180 см")
    assert _ids("елка") == [tree.pk]
    assert _ids("ёлка") == [tree.pk]


def test_uzbek_cyrillic_and_english_text():
    kettle = _product("Электр чойнак Artel")
    charger = _product("Wireless charger fast charging")
    assert _ids("чойнак") == [kettle.pk]
    assert _ids("chargers") == [charger.pk]  # English stemming of Latin words


# --- categories -----------------------------------------------------------------------------------
def test_category_names_and_their_ancestors_match_products():
    root = CategoryFactory(name="Maishiy texnika", description="")
    fridges = CategoryFactory(name="Muzlatgichlar", parent=root, description="")
    fridge = _product("Artel HD 345 FWEN", category=fridges)
    _product("Samsung Galaxy A15")
    assert _ids("muzlatgichlar") == [fridge.pk]
    assert _ids("maishiy texnika") == [fridge.pk]
    assert _ids("artel muzlatgich") == [fridge.pk]  # name and category together
    parsed = search.parse("muzlatgichlar")
    assert search.matching_categories(parsed) == [fridges.pk]
    assert search.matching_categories(search.parse("maishiy")) == [root.pk]


def test_a_name_match_beats_a_category_match():
    phones = CategoryFactory(name="Telefonlar", description="")
    in_category = _product("Samsung A15", category=phones)
    in_name = _product("Telefonlar uchun ushlagich")
    assert _ids("telefonlar") == [in_name.pk, in_category.pk]


# --- visibility ---------------------------------------------------------------------------------
def test_only_products_a_buyer_may_see_are_found():
    visible = _product("Qovoq urug'i")
    _product("Qovoq urug'i", status=ProductStatus.DRAFT, published_at=None)
    _product("Qovoq urug'i", status=ProductStatus.INACTIVE)
    _product("Qovoq urug'i", status=ProductStatus.DISCONTINUED)
    _product("Qovoq urug'i", status=ProductStatus.OUT_OF_STOCK, stock_quantity=0)
    _product("Qovoq urug'i", deleted_at=timezone.now())
    _product("Qovoq urug'i", seller=SellerFactory(status=UserStatus.SUSPENDED))
    _product("Qovoq urug'i", seller=SellerFactory(status=UserStatus.BANNED))
    _product("Qovoq urug'i", seller=SellerFactory(deleted_at=timezone.now()))
    assert _ids("qovoq urug'i") == [visible.pk]
    assert _ids("qovoq", sort="newest") == [visible.pk]


def test_a_seller_suspended_later_disappears_and_comes_back():
    product = _product("Paxta yostiq")
    seller = product.seller
    seller.status = UserStatus.SUSPENDED
    seller.save(update_fields=["status"])
    assert _ids("paxta yostiq") == []
    seller.status = UserStatus.ACTIVE
    seller.save(update_fields=["status"])
    assert _ids("paxta yostiq") == [product.pk]


# --- the triggers keep the documents up to date -----------------------------------------------
def test_renaming_a_product_updates_the_search():
    product = _product("Eski nom choynak")
    seller = product.seller
    services.product_update(product=product, actor=seller, name="Yangi termos", brand="Tefal")
    assert _ids("choynak") == []
    assert _ids("termos") == [product.pk]
    assert _ids("tefal") == [product.pk]
    assert _ids("tefl termos") == [product.pk]  # the new brand is in the typo vocabulary
    services.product_update(product=product, actor=seller, description="Issiqlikni 24 soat saqlaydi")
    assert _ids("issiqlikni") == [product.pk]


def test_renaming_or_moving_a_category_updates_the_search():
    staff = StaffFactory()
    root = CategoryFactory(name="Sport", description="")
    leaf = CategoryFactory(name="Velosipedlar", parent=root, description="")
    bike = _product("Stels Navigator 500", category=leaf)
    services.category_save(actor=staff, category=leaf, name="Samokatlar", slug=leaf.slug, parent_id=root.pk)
    assert _ids("velosipedlar") == []
    assert _ids("samokatlar") == [bike.pk]
    services.category_save(actor=staff, category=root, name="Dam olish", slug=root.slug, parent_id=None)
    assert _ids("sport") == []
    assert _ids("dam olish") == [bike.pk]
    other_root = CategoryFactory(name="Bolalar dunyosi", description="")
    services.category_save(actor=staff, category=leaf, name="Samokatlar", slug=leaf.slug, parent_id=other_root.pk)
    assert _ids("dam olish") == []
    assert _ids("bolalar dunyosi") == [bike.pk]


def test_moving_a_product_to_another_category_updates_the_search():
    shoes = CategoryFactory(name="Poyabzal", description="")
    bags = CategoryFactory(name="Sumkalar", description="")
    product = _product("Charm buyum", category=shoes)
    services.product_update(product=product, actor=product.seller, category=bags.pk)
    assert _ids("poyabzal") == []
    assert _ids("sumkalar") == [product.pk]


def test_unpublish_delete_and_sold_out_remove_a_product_and_publish_restock_bring_it_back():
    product = _product("Gilam Samarqand naqshli", stock_quantity=5)
    seller = product.seller
    services.product_unpublish(product=product, actor=seller)
    assert _ids("gilam") == []
    services.product_publish(product=product, actor=seller)
    assert _ids("gilam") == [product.pk]
    services.product_stock_set(product=product, actor=seller, quantity=0)
    assert _ids("gilam") == []
    services.product_stock_set(product=product, actor=seller, quantity=2)
    assert _ids("gilam") == [product.pk]
    services.product_discontinue(product=product, actor=seller)
    assert _ids("gilam") == []
    services.product_publish(product=product, actor=seller)
    services.product_delete(product=product, actor=seller)
    assert _ids("gilam") == []


def test_a_bulk_update_of_many_rows_keeps_every_document():
    products = [_product(f"Daftar {n} varaq") for n in (12, 24, 48)]
    Product.objects.filter(pk__in=[p.pk for p in products]).update(name="Bloknot")
    assert _ids("daftar") == []
    assert sorted(_ids("bloknot")) == sorted(p.pk for p in products)
    Product.objects.filter(pk=products[0].pk).update(status=ProductStatus.INACTIVE)
    Product.objects.filter(pk=products[1].pk).update(stock_quantity=0)  # no searched column changed
    assert sorted(_ids("bloknot")) == [products[1].pk, products[2].pk]


# --- filters, sorting and pagination --------------------------------------------------------------
def test_filters_combine_with_search():
    cheap = _product("Kostyum erkaklar", brand="Bershka", base_price=Decimal("300000"))
    on_sale = _product("Kostyum klassik", brand="Zara", base_price=Decimal("900000"), sale_price=Decimal("450000"))
    dear = _product("Kostyum premium", brand="Zara", base_price=Decimal("1500000"))
    backorder = _product(
        "Kostyum buyurtma", brand="Zara", base_price=Decimal("500000"), stock_quantity=0, allow_backorder=True
    )
    _product("Ko'ylak", brand="Zara", base_price=Decimal("400000"))
    ProductAttributeFactory(product=cheap, name="Rang", value="Qora")
    ProductAttributeFactory(product=on_sale, name="Rang", value="Ko'k")
    ProductAttributeFactory(product=dear, name="Rang", value="Qora")
    ProductAttributeFactory(product=dear, name="O'lcham", value="L")

    def found(**filters):
        return sorted(_ids("kostyum", ListingFilters(**filters)))

    assert found() == sorted([cheap.pk, on_sale.pk, dear.pk, backorder.pk])
    # The price is what the buyer pays: the sale price when there is one.
    assert found(min_price=Decimal("400000"), max_price=Decimal("600000")) == sorted([on_sale.pk, backorder.pk])
    assert found(max_price=Decimal("300000")) == [cheap.pk]
    assert found(brands=["Zara"]) == sorted([on_sale.pk, dear.pk, backorder.pk])
    assert found(brands=["Zara"], max_price=Decimal("1000000")) == sorted([on_sale.pk, backorder.pk])
    assert found(attributes={"Rang": ["Qora"]}) == sorted([cheap.pk, dear.pk])
    assert found(attributes={"Rang": ["Qora", "Ko'k"], "O'lcham": ["L"]}) == [dear.pk]
    assert found(attributes={"Rang": ["Qora"]}, brands=["Bershka"]) == [cheap.pk]
    assert found(category_ids=[dear.category_id]) == [dear.pk]
    assert found(seller_id=on_sale.seller_id) == [on_sale.pk]
    # A backorder product with nothing on the shelf can be bought now: it is in stock, as its card says.
    assert cheap.pk in found(in_stock=True) and backorder.pk in found(in_stock=True)
    assert selectors.product_cards([backorder.pk])[0].in_stock


def test_in_stock_filter_is_the_same_on_category_pages_and_in_search():
    backorder = _product("Kostyum buyurtma", stock_quantity=0, allow_backorder=True)
    stocked = _product("Kostyum tayyor")
    listed = set(selectors.listing_queryset(ListingFilters(in_stock=True)).values_list("id", flat=True))
    assert listed == set(_ids("kostyum", ListingFilters(in_stock=True))) == {backorder.pk, stocked.pk}


def test_sort_orders_of_search_results():
    a = _product("Soat Casio", base_price=Decimal("500000"), view_count=5)
    b = _product("Soat Rolex", base_price=Decimal("90000000"), sale_price=Decimal("100000"), view_count=50)
    c = _product("Soat Seiko", base_price=Decimal("2000000"), view_count=1)
    assert _ids("soat", sort="price_asc") == [b.pk, a.pk, c.pk]
    assert _ids("soat", sort="price_desc") == [c.pk, a.pk, b.pk]
    assert _ids("soat", sort="popular") == [b.pk, a.pk, c.pk]
    assert _ids("soat", sort="nonsense") == _ids("soat")  # an unknown sort falls back to relevance


def test_pagination_gives_every_match_once_and_the_total_on_every_page():
    products = [_product(f"Ruchka ko'k {n}") for n in range(25)]
    _product("Qalam")
    parsed = search.parse("ruchka")
    seen = []
    for page in (1, 2, 3):
        listing = selectors.search_page(parsed, ListingFilters(), page=page, per_page=10)
        assert listing.total == 25 and listing.pages == 3
        seen += [card.id for card in listing.cards]
    assert len(seen) == 25 and set(seen) == {p.pk for p in products}
    beyond = selectors.search_page(parsed, ListingFilters(), page=9, per_page=10)
    assert beyond.cards == [] and beyond.total == 25
    ids, total, _capped = search.search_product_ids(parsed, filters=ListingFilters(), offset=20, limit=10)
    assert (len(ids), total) == (5, 25)


@pytest.mark.parametrize(
    "query",
    [
        "",
        "   ",
        "%%%",
        "'",
        "''",
        "o'",
        "&|!():*<->",
        "foo & | bar",
        "'; DROP TABLE products; --",
        "a" * 500,
        "слово " * 100,
        "x\x00y",
        "и",
        "the",
        "ʻʻʻ",
        "12345",
        "😀 🚀",
        "___",
    ],
)
def test_empty_or_garbage_queries_never_fail(query):
    _product("Samsung Galaxy A15")
    parsed = search.parse(query)
    ids, total, _capped = search.search_product_ids(parsed, filters=ListingFilters(brands=["Artel"]), sort="price_asc")
    assert isinstance(ids, list) and total == len(ids)
    selectors.search_page(parsed, ListingFilters())
    search.suggestions(query)
    search.matching_categories(parsed)
    assert len(parsed.words) <= search.MAX_WORDS
