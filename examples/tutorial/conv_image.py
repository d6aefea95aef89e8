"""The tutorial's convolution example: a ``Conv2d(3, 3, kernel_size=2, stride=1, padding=1)``
on a picture, the result shown as a picture, and the model's graph written for TensorBoard.

Only the imports differ from the tutorial's PyTorch program, plus two things every example
here does: the picture is the bundled ``examples/assets/picture.png``, and what the program
writes (the output picture, the TensorBoard log) goes to the folder named by the environment
variable ``MINITORCH_EXAMPLE_OUT`` (default: a new temporary folder), never into the repository.

    python examples/tutorial/conv_image.py
    tensorboard --logdir <the printed folder>/log_conv
"""
import os
import tempfile

from PIL import Image

import minitorch as torch  # only for manual_seed below
import minitorch.vision as torchvision
from minitorch import nn
from minitorch.nn import Module  # noqa: F401  (imported by the tutorial, unused there too)
from minitorch.utils.tensorboard import SummaryWriter

out_dir = os.environ.get("MINITORCH_EXAMPLE_OUT") or tempfile.mkdtemp(prefix="minitorch-")
os.makedirs(out_dir, exist_ok=True)

# input -> (Batch_size,Channels,height,weight) ->(1,1,5,5)
img_path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "assets",
                        "picture.png")
img = Image.open(img_path)
trans_tensor = torchvision.transforms.ToTensor()
img_tensor = trans_tensor(img)
print(img_tensor.shape)
input = img_tensor.unsqueeze(0)
# 图像数据从三维张量转换为四维张量，可以满足卷积层对输入数据维度的要求。（批操作）


class MyConv(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(in_channels=3, out_channels=3, kernel_size=2, stride=1, padding=1)
        # 卷积后的长宽  = (卷积前的长宽 - 卷积核边长 + 2* padding)/步长 +1

    def forward(self, data):
        output = self.conv(data)
        return output


torch.manual_seed(0)  # not in the tutorial: the same random weights on every run
file = SummaryWriter(os.path.join(out_dir, "log_conv"))
mynn = MyConv()
output = mynn(input)
print(output.shape)
trans_PIL = torchvision.transforms.ToPILImage()
img1 = trans_PIL(output.squeeze(0))
# The tutorial calls img1.show(), which opens an image viewer; we save the picture instead.
img1.save(os.path.join(out_dir, "conv_output.png"))
file.add_graph(mynn, input)
file.close()
print(f"wrote {os.path.join(out_dir, 'conv_output.png')} and {file.get_logdir()}")

"""
总结：
mynn(input)中的input是作为参数传递给了forward方法中的data。
data是forward方法的参数，用于接收输入数据。
input实际上就是被视为data参数的输入数据。
"""
