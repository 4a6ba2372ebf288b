"""Destinations for SIEM events: sinks (``interface.Sink``) and the outbox that feeds them."""
