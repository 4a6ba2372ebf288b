"""Renderers: one ``ScanResult`` in, bytes out (``interface.Renderer``)."""
