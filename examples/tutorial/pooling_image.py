"""The tutorial's pooling example: ``MaxPool2d`` and ``AvgPool2d`` (2×2, stride 2) on a
picture; the input and the pooled picture are logged with ``add_image`` for TensorBoard.

Only the imports differ from the tutorial's PyTorch program, plus: the picture is the
bundled ``examples/assets/picture.png``, and the outputs go to ``$MINITORCH_EXAMPLE_OUT``
(default: a new temporary folder).

    python examples/tutorial/pooling_image.py
    tensorboard --logdir <the printed folder>/log_network

池化的网络模型
# 0.预设环境from torch import nn,from PIL import Image
# 1.构建池化的网络模型，继承nn.Module，包含MaxPool2d()
maxpooling中的stride =  stride if (stride is not None) else kernel_size
# 2.加载图像数据，SummaryWriter写入到log文件中，图像PIL->tensor(transforms.Totensor)
# 3.调用模型计算
# 4.得到输出结果，SummaryWriter写入到log文件中，tensor->PIL(transforms.ToPIL)
"""
import os
import tempfile

from PIL import Image

import minitorch.vision as torchvision  # the tutorial: import torchvision.transforms
from minitorch import nn
from minitorch.utils.tensorboard import SummaryWriter

out_dir = os.environ.get("MINITORCH_EXAMPLE_OUT") or tempfile.mkdtemp(prefix="minitorch-")
os.makedirs(out_dir, exist_ok=True)

img_path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "assets",
                        "picture.png")
img = Image.open(img_path)
trans_tensor = torchvision.transforms.ToTensor()
img_tensor = trans_tensor(img)
print(img_tensor.shape)


# 1.构建池化的网络模型，继承nn.Module，包含MaxPool2d()
class MyPooling(nn.Module):

    def __init__(self) -> None:
        super().__init__()
        self.pooling1 = nn.MaxPool2d(kernel_size=2, stride=2, ceil_mode=False)
        # MaxPool 最大池化
        self.pooling2 = nn.AvgPool2d(kernel_size=2, stride=2, ceil_mode=False)
        # AvgPool 平均池化
        # 维度与池化方式没有关系，二者区别：MaxPool取最大特征值作为特征后结果，方便突出特征，
        # AvgPool计算特征值平均后作为特征后结果，使图像更平滑

    def forward(self, data):
        output = self.pooling2(data)
        return output


file = SummaryWriter(os.path.join(out_dir, "log_network"))
# 3.调用模型计算
mynn = MyPooling()
input = img_tensor.unsqueeze(0)
output = mynn(input)
print(output.shape)
file.add_image("Image", img_tensor)
file.add_image("Pooling", output.squeeze(0))
file.close()
trans_PIL = torchvision.transforms.ToPILImage()
img1 = trans_PIL(output.squeeze(0))
# The tutorial calls img1.show(), which opens an image viewer; we save the picture instead.
img1.save(os.path.join(out_dir, "pooling_output.png"))
# Not in the tutorial: the max-pooled picture too, to compare the two kinds of pooling.
trans_PIL(mynn.pooling1(input).squeeze(0)).save(os.path.join(out_dir, "maxpool_output.png"))
print(f"wrote {out_dir}: pooling_output.png, maxpool_output.png, log_network/")
