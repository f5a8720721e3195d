"""Customers & campaigns (registered in step 2)."""
