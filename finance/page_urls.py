"""Pages of money: the buyer's wallet (/wallet/) and the seller's finance page (/seller/finance/)."""

urlpatterns = []
