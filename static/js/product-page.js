// Product page: the gallery thumbnails switch the big picture; the variant picker shows the
// chosen variant's price, stock and picture, and a sold-out choice cannot be added to the cart.
// Works without it (the server shows the first variant that can be ordered).
(function () {
  "use strict";
  var main = document.getElementById("gm-main-image");
  document.querySelectorAll(".gm-thumb").forEach(function (thumb) {
    thumb.addEventListener("click", function () {
      main.src = thumb.dataset.image;
      document.querySelectorAll(".gm-thumb").forEach(function (t) { t.classList.remove("border-primary"); });
      thumb.classList.add("border-primary");
    });
  });

  var picker = document.getElementById("gm-variant");
  if (!picker) return;
  var price = document.getElementById("gm-price");
  var oldPrice = document.getElementById("gm-old-price");
  var stock = document.getElementById("gm-stock");
  var nbsp = "\u00a0";

  function money(value) {
    var number = Math.round(Number(value) * 100) / 100;
    var whole = Math.trunc(number).toString().replace(/\B(?=(\d{3})+(?!\d))/g, nbsp);
    var cents = Math.round((number - Math.trunc(number)) * 100);
    return whole + (cents ? "," + String(cents).padStart(2, "0") : "") + nbsp + picker.dataset.currency;
  }

  function show() {
    var option = picker.options[picker.selectedIndex];
    price.textContent = money(option.dataset.price);
    if (oldPrice && option.dataset.oldPrice) oldPrice.textContent = money(option.dataset.oldPrice);
    var left = Number(option.dataset.stock);
    var span = document.createElement("span");
    var soldOut = Boolean(option.dataset.soldOut);
    var icon = null;
    if (left > 0) {
      span.className = "text-success";
      icon = "bi-check-circle";
      span.textContent = left <= 5 ? stock.dataset.few.replace("%(n)s", left) : stock.dataset.inStock;
    } else if (stock.dataset.backorder) {
      span.className = "text-warning";
      span.textContent = stock.dataset.backorderText;
    } else {
      span.className = "text-danger";
      icon = "bi-x-circle";
      span.textContent = stock.dataset.out;
    }
    if (icon) {
      var i = document.createElement("i");
      i.className = "bi " + icon;
      i.setAttribute("aria-hidden", "true");
      span.prepend(i, " ");
    }
    stock.replaceChildren(span);
    document.querySelectorAll("[data-testid=add-to-cart] button[type=submit]").forEach(function (button) {
      button.disabled = soldOut;
    });
    stock.dataset.variantStock = String(left);
    if (option.dataset.image) main.src = option.dataset.image;
    var chosen = document.getElementById("gm-variant-input");
    if (chosen) chosen.value = option.value;
  }

  picker.addEventListener("change", show);
  show();
})();
