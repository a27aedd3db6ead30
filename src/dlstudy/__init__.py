"""dlstudy: a command-line study companion for a deep-learning study guide."""

__version__ = "0.1.0"
