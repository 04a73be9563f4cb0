"""Delivery: the outbound side of every adapter and the sender that drains the store's outbox."""
