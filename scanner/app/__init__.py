"""The composition layer: the commands a person or a service runs (``cli``, ``agent``) and the
orchestration of one scan or recording (``scan``, ``record``). Only this layer joins the device
side of ``scanner`` with ``reports``; the import contracts in pyproject.toml hold it so."""
