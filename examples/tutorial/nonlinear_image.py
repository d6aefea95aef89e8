"""The tutorial's non-linear activation example: ``ReLU``, ``Tanh`` and ``Sigmoid`` on a
picture (the model applies the sigmoid), and how far the result is from the input.

Only the imports differ from the tutorial's PyTorch program, plus: the picture is the
bundled ``examples/assets/picture.png``, and the pictures the tutorial shows are saved to
``$MINITORCH_EXAMPLE_OUT`` (default: a new temporary folder) instead.

非线性激活ReLU的网络模型
# 0.预设环境from torch import nn,from PIL import Image
# 1.构建池化的网络模型，继承nn.Module，包含ReLU()
# 2.加载图像数据，SummaryWriter写入到log文件中，图像PIL->tensor(transforms.Totensor)
# 3.调用模型计算
# 4.得到输出结果，SummaryWriter写入到log文件中，tensor->PIL(transforms.ToPIL)
"""
import os
import tempfile

from PIL import Image

import minitorch.vision as torchvision  # the tutorial: import torchvision.transforms
from minitorch import nn

out_dir = os.environ.get("MINITORCH_EXAMPLE_OUT") or tempfile.mkdtemp(prefix="minitorch-")
os.makedirs(out_dir, exist_ok=True)

img_path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "assets",
                        "picture.png")
img = Image.open(img_path)
# The tutorial calls img.show(), which opens an image viewer; we save the picture instead.
img.save(os.path.join(out_dir, "nonlinear_input.png"))
trans_tensor = torchvision.transforms.ToTensor()
img_tensor = trans_tensor(img)
print(img_tensor.shape)


# 1.构建非线性的网络模型
class Nonliner(nn.Module):
    def __init__(self):
        super().__init__()
        self.nonliner1 = nn.ReLU()
        self.nonliner2 = nn.Tanh()
        self.nonliner3 = nn.Sigmoid()

    def forward(self, data):
        output = self.nonliner3(data)
        return output


# 3.调用模型计算
mynn = Nonliner()
input = img_tensor.unsqueeze(0)
output = mynn(input)
print(output.shape)

trans_PIL = torchvision.transforms.ToPILImage()
img1 = trans_PIL(output.squeeze(0))
# The tutorial calls img1.show(); we save the picture instead.
img1.save(os.path.join(out_dir, "nonlinear_output.png"))

print(f"bias = {(img_tensor - output.squeeze(0)).sum()}")
# 衡量偏差
print(f"wrote {out_dir}: nonlinear_input.png, nonlinear_output.png")
