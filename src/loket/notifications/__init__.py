"""Notifications: every channel, in the resident's language, with a delivery log."""
