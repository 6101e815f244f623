"""The accuracy suite: ImageNet top-1/top-5 and speed of the Keras and torchvision model zoos."""
