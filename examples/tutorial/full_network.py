"""The tutorial's whole network (整体网络构建): the CIFAR-10-style CNN ``myNetwork`` built
with ``nn.Sequential``, run on one 3×32×32 input, and its graph written for TensorBoard.

Only the imports differ from the tutorial's PyTorch program, plus: the TensorBoard log goes
to ``$MINITORCH_EXAMPLE_OUT/log_nn`` (default: a new temporary folder).

    python examples/tutorial/full_network.py
    tensorboard --logdir <the printed folder>/log_nn
"""
import os
import tempfile

import minitorch as torch
from minitorch import nn  ## nn:Neural Networks 神经网络
from minitorch.utils.tensorboard import SummaryWriter  ## 写入文件


class myNetwork(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.model = nn.Sequential(nn.Conv2d(3, 32, 5, 1, 2), nn.MaxPool2d(2),
                                   nn.Conv2d(32, 32, 5, 1, 2), nn.MaxPool2d(2),
                                   nn.Conv2d(32, 64, 5, 1, 2), nn.MaxPool2d(2),
                                   nn.Flatten(), nn.Linear(64 * 4 * 4, 64), nn.Linear(64, 10))
        # 定义隐藏层，根据神经网络结构，设计卷积层、线性层、池化层、非线性层等等
        # 注意flatten不是严格意义上的隐藏层，他实际上是一种数据操作

    def forward(self, data):  # 代表网络的前向船体
        output = self.model(data)
        return output


if __name__ == "__main__":
    out_dir = os.environ.get("MINITORCH_EXAMPLE_OUT") or tempfile.mkdtemp(prefix="minitorch-")
    os.makedirs(out_dir, exist_ok=True)
    torch.manual_seed(0)  # not in the tutorial: the same random weights on every run
    mynn = myNetwork()
    input = torch.Tensor(1, 3, 32, 32)
    output = mynn(input)
    print(output.shape)
    file = SummaryWriter(os.path.join(out_dir, "log_nn"))
    file.add_graph(model=mynn, input_to_model=input)
    file.close()
    print(f"wrote {file.get_logdir()}")
