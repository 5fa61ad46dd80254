"""Many realistic candidates for trying the app and benchmarking it at scale (`manage.py seed_scale`)."""
