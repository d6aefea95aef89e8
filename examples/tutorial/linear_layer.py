"""The tutorial's linear layer: ``y = x Aᵀ + b`` on the last dimension of its input, "making
the last dimension smaller" (其余部分同上: the rest as in the previous examples).

The tutorial only sketches it, inside the previous examples' model:
``self.liner = nn.Linear(in_features=1920, ou_features=20)`` — 1920 is the width of the
tutorial's picture, so the layer maps each row of pixels (1920 values) to 20 values. Our
bundled picture is 64 pixels wide, so here it is ``nn.Linear(in_features=64,
out_features=20)`` (the tutorial's ``ou_features`` is a typo for ``out_features``). Then, as
a fully connected layer is more often used, the same on the whole picture flattened into one
vector of 3·48·64 = 9216 values.

Only the imports differ from PyTorch. Outputs go to ``$MINITORCH_EXAMPLE_OUT`` (default: a
new temporary folder).
"""
import os
import tempfile

from PIL import Image

import minitorch as torch
import minitorch.vision as torchvision  # the tutorial: import torchvision.transforms
from minitorch import nn

out_dir = os.environ.get("MINITORCH_EXAMPLE_OUT") or tempfile.mkdtemp(prefix="minitorch-")
os.makedirs(out_dir, exist_ok=True)
torch.manual_seed(0)  # the same random weights on every run

img_path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "assets",
                        "picture.png")
img = Image.open(img_path)
trans_tensor = torchvision.transforms.ToTensor()
img_tensor = trans_tensor(img)
print(img_tensor.shape)


# 1.构建线性层的网络模型
class MyLinear(nn.Module):
    def __init__(self):
        super().__init__()
        self.liner = nn.Linear(in_features=64, out_features=20)  # the tutorial: 1920 → 20

    def forward(self, data):
        output = self.liner(data)
        return output


# 3.调用模型计算
mynn = MyLinear()
input = img_tensor.unsqueeze(0)
output = mynn(input)
print(output.shape)  # (1, 3, 48, 20): every row of 64 pixels became 20 numbers

# The result is still a (3, 48, 20) "picture"; save it (values outside [0, 1] are clipped).
trans_PIL = torchvision.transforms.ToPILImage()
img1 = trans_PIL(output.squeeze(0))
img1.save(os.path.join(out_dir, "linear_output.png"))

# The fully connected layer on the whole picture: flatten it, then 9216 → 20.
flat = torch.flatten(input, start_dim=1)
print(flat.shape)  # (1, 9216)
fc = nn.Linear(in_features=flat.shape[1], out_features=20)
print(fc(flat).shape)  # (1, 20)
print(f"parameters: row-wise {sum(p.numel() for p in mynn.parameters())}, "
      f"fully connected {sum(p.numel() for p in fc.parameters())}")
print(f"wrote {os.path.join(out_dir, 'linear_output.png')}")
