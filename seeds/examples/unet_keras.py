"""A compact segmentation U-Net in Keras, with squeeze-and-excitation on the skip features.

An example for ArchLens: open it in VS Code, or run `archlens scan seeds/examples`.
"""
import keras
from keras import layers


class SqueezeExcite(layers.Layer):
    def __init__(self, channels, ratio=8, **kwargs):
        super().__init__(**kwargs)
        self.pool = layers.GlobalAveragePooling2D(keepdims=True)
        self.reduce = layers.Dense(channels // ratio, activation="relu")
        self.expand = layers.Dense(channels, activation="sigmoid")

    def call(self, x):
        scale = self.expand(self.reduce(self.pool(x)))
        return x * scale


def separable_block(x, filters):
    x = layers.DepthwiseConv2D(3, padding="same")(x)
    x = layers.Conv2D(filters, 1)(x)
    x = layers.BatchNormalization()(x)
    return layers.Activation("relu")(x)


def build_unet(input_shape=(128, 128, 3), classes=2, widths=(32, 64, 128)):
    inputs = keras.Input(shape=input_shape)
    x = inputs
    skips = []
    for filters in widths:
        x = separable_block(x, filters)
        skips.append(SqueezeExcite(filters)(x))
        x = layers.MaxPooling2D(2)(x)
    x = separable_block(x, widths[-1] * 2)
    for filters, skip in zip(reversed(widths), reversed(skips)):
        x = layers.Conv2DTranspose(filters, 2, strides=2, padding="same")(x)
        x = layers.Concatenate()([x, skip])
        x = separable_block(x, filters)
    outputs = layers.Conv2D(classes, 1, activation="softmax")(x)
    return keras.Model(inputs, outputs, name="unet")
