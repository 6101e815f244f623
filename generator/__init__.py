"""framebench: an open benchmark of NumPy, TensorFlow/Keras and PyTorch."""

__version__ = "0.1.0"
