"""What the tutorial CNN sees: the feature maps of each of its convolution layers.

A convolution layer with 32 output channels turns a picture into 32 pictures, one per filter
("feature maps"): edges of one direction, one colour, blobs... This program runs the
tutorial's network (``minitorch.models.TutorialCNN``) on one picture — a ShapesDataset image
by default, or the bundled ``examples/assets/picture.png`` — records every layer's output
with ``capture_activations`` (forward hooks), and saves, for each ``Conv2d``:

* ``feature_maps_<layer>.png``: its feature maps as a grid of grey pictures, each rescaled
  to [0, 1] on its own;
* the same to TensorBoard with ``add_images`` (tag ``feature_maps/<layer>``), next to the
  input picture (tag ``input``).

The network is untrained unless you give it a checkpoint from ``minitorch train`` (trained
filters give much more telling maps):

    python examples/feature_maps.py                       # untrained, a ShapesDataset image
    minitorch train --out runs/cnn && \\
    python examples/feature_maps.py --checkpoint runs/cnn/checkpoint.npz
    python examples/feature_maps.py --picture             # the bundled picture, resized
    tensorboard --logdir <the printed folder>/tensorboard

Outputs go to ``--out``, default ``$MINITORCH_EXAMPLE_OUT`` or a new temporary folder.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

from PIL import Image

import minitorch as torch
import minitorch.vision as torchvision
from minitorch import nn
from minitorch.models import TutorialCNN
from minitorch.utils.activations import capture_activations
from minitorch.utils.tensorboard import SummaryWriter
from minitorch.vision import utils as vutils

PICTURE = Path(__file__).resolve().parent / "assets" / "picture.png"


def load_model(checkpoint: str | None) -> TutorialCNN:
    """The tutorial CNN: trained weights from a ``minitorch train`` checkpoint, or random."""
    if checkpoint is None:
        return TutorialCNN().eval()
    state = torch.load(checkpoint)
    state = state.get("model", state)  # a `minitorch train` checkpoint, or a bare state_dict
    model = TutorialCNN(num_classes=state["model.8.weight"].shape[0])
    model.load_state_dict(state)
    return model.eval()


def load_image(use_picture: bool, index: int) -> tuple[torch.Tensor, str]:
    """One (3, 32, 32) picture in [0, 1] and a description of it."""
    if use_picture:
        transform = torchvision.transforms.Compose([
            torchvision.transforms.Resize((32, 32)), torchvision.transforms.ToTensor()])
        return transform(Image.open(PICTURE).convert("RGB")), "the bundled picture"
    dataset = torchvision.datasets.ShapesDataset(train=False, num_samples=index + 1)
    image, label = dataset[index]
    return image, f"test image {index} of ShapesDataset (a {dataset.classes[label]})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkpoint", help="a checkpoint written by `minitorch train`")
    parser.add_argument("--picture", action="store_true",
                        help="use examples/assets/picture.png instead of a ShapesDataset image")
    parser.add_argument("--index", type=int, default=0, help="which ShapesDataset test image")
    parser.add_argument("--out", default=None,
                        help="output folder (default: $MINITORCH_EXAMPLE_OUT or a temp folder)")
    args = parser.parse_args()
    out = Path(args.out or os.environ.get("MINITORCH_EXAMPLE_OUT")
               or tempfile.mkdtemp(prefix="minitorch-"))
    out.mkdir(parents=True, exist_ok=True)

    torch.manual_seed(0)
    model = load_model(args.checkpoint)
    image, description = load_image(args.picture, args.index)
    activations = capture_activations(model, image.unsqueeze(0), layers=[nn.Conv2d])
    print(f"feature maps of {description}:")

    vutils.save_image(image, out / "input.png")
    with SummaryWriter(out / "tensorboard") as writer:
        writer.add_image("input", image)
        for name, maps in activations.items():
            # (1, C, H, W) -> C grey pictures (C, 1, H, W), each rescaled to [0, 1]
            maps = maps[0].unsqueeze(1)
            flat = maps.flatten(1)
            low = flat.min(dim=1, keepdim=True).values.view(-1, 1, 1, 1)
            high = flat.max(dim=1, keepdim=True).values.view(-1, 1, 1, 1)
            maps = (maps - low) / (high - low).clamp(min=1e-8)
            path = out / f"feature_maps_{name.replace('.', '_')}.png"
            vutils.save_image(maps, path, nrow=8, padding=1, pad_value=1.0)
            writer.add_images(f"feature_maps/{name}", maps)
            print(f"  {name:8s} {type(model.get_submodule(name)).__name__:7s} "
                  f"{tuple(maps.shape[0:1]) + tuple(maps.shape[2:])} -> {path.name}")
    print(f"wrote {out} (input.png, feature_maps_*.png, tensorboard/)")


if __name__ == "__main__":
    main()
