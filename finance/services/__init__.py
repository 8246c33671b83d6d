"""Every write of money: the ledger, card payments, earnings, bank accounts and payouts."""
