#include "trainer/models.h"

#include <torch/torch.h>

#include <cmath>
#include <string>

#include "study/errors.h"
#include "trainer/onednn_gemm.h"
#include "trainer/resnet.h"

namespace rungs {
namespace {

namespace nn = torch::nn;
using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

void check_gemm(int status) {
  if (status != 0) throw TrialError("oneDNN sgemm failed with status " + std::to_string(status));
}

/// y = x W^T + b into a new [n, out] tensor (the bias is copied in first, then added to).
torch::Tensor gemm_linear(SgemmFunction sgemm, const torch::Tensor& x, const torch::Tensor& weight,
                          const torch::Tensor& bias) {
  const std::int64_t n = x.size(0), in = x.size(1), out = weight.size(0);
  // A copy, always: for one row the expanded bias is already contiguous, and contiguous()
  // would hand back the bias itself for sgemm to add the product into.
  torch::Tensor y = torch::empty({n, out}, bias.options());
  y.copy_(bias.unsqueeze(0).expand({n, out}));
  check_gemm(sgemm('N', 'T', n, out, in, 1.0f, x.data_ptr<float>(), in, weight.data_ptr<float>(),
                   in, 1.0f, y.data_ptr<float>(), out));
  return y;
}

/// The linear layer's forward and backward products with oneDNN's sgemm.
class GemmLinearFunction : public torch::autograd::Function<GemmLinearFunction> {
 public:
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& x,
                               const torch::Tensor& weight, const torch::Tensor& bias) {
    ctx->save_for_backward({x, weight});
    return gemm_linear(onednn_sgemm(), x, weight, bias);
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const SgemmFunction sgemm = onednn_sgemm();
    const variable_list saved = ctx->get_saved_variables();
    const torch::Tensor& x = saved[0];
    const torch::Tensor& weight = saved[1];
    const torch::Tensor g = grads[0].contiguous();
    const std::int64_t n = x.size(0), in = x.size(1), out = weight.size(0);
    torch::Tensor dx, dweight, dbias;
    if (ctx->needs_input_grad(0)) {  // not for the first layer: images need no gradient
      dx = torch::empty({n, in}, x.options());
      check_gemm(sgemm('N', 'N', n, in, out, 1.0f, g.data_ptr<float>(), out,
                       weight.data_ptr<float>(), in, 0.0f, dx.data_ptr<float>(), in));
    }
    if (ctx->needs_input_grad(1)) {
      dweight = torch::empty({out, in}, weight.options());
      check_gemm(sgemm('T', 'N', out, in, n, 1.0f, g.data_ptr<float>(), out, x.data_ptr<float>(),
                       in, 0.0f, dweight.data_ptr<float>(), in));
    }
    if (ctx->needs_input_grad(2)) dbias = g.sum(0);
    return {dx, dweight, dbias};
  }
};

/// torch::nn::Linear (same parameters, names and initialization) computing its products
/// with oneDNN's sgemm; falls back to torch::linear for anything but float matrices in host
/// memory or when oneDNN is absent.
class GemmLinearImpl : public nn::Cloneable<GemmLinearImpl> {
 public:
  GemmLinearImpl(std::int64_t inputs, std::int64_t outputs) : inputs_(inputs), outputs_(outputs) {
    reset();
  }

  void reset() override {
    weight = register_parameter("weight", torch::empty({outputs_, inputs_}));
    bias = register_parameter("bias", torch::empty({outputs_}));
    // torch::nn::Linear's initialization, drawing in the same order.
    nn::init::kaiming_uniform_(weight, std::sqrt(5.0));
    const double bound = 1.0 / std::sqrt(static_cast<double>(inputs_));
    nn::init::uniform_(bias, -bound, bound);
  }

  torch::Tensor forward(const torch::Tensor& input) {
    const SgemmFunction sgemm = onednn_sgemm();
    if (!sgemm || !input.is_cpu() || input.dim() != 2 || input.scalar_type() != torch::kFloat)
      return torch::linear(input, weight, bias);
    const torch::Tensor x = input.contiguous();
    if (!torch::GradMode::is_enabled()) return gemm_linear(sgemm, x, weight, bias);
    return GemmLinearFunction::apply(x, weight, bias);
  }

  torch::Tensor weight;
  torch::Tensor bias;

 private:
  std::int64_t inputs_;
  std::int64_t outputs_;
};
TORCH_MODULE(GemmLinear);

void add_activation(nn::Sequential& net, const std::string& name) {
  if (name == "relu") {
    net->push_back(nn::ReLU());
  } else if (name == "gelu") {
    net->push_back(nn::GELU());
  } else if (name == "tanh") {
    net->push_back(nn::Tanh());
  } else if (name == "leaky_relu") {
    net->push_back(nn::LeakyReLU());
  } else if (name == "silu") {
    net->push_back(nn::SiLU());
  } else {
    throw ConfigError("activation " + name + " is not known");
  }
}

void add_dropout(nn::Sequential& net, double p) {
  if (p > 0.0) net->push_back(nn::Dropout(p));
}

nn::Sequential make_mlp(const Hyperparameters& hp, const ModelShape& shape) {
  nn::Sequential net;
  net->push_back(nn::Flatten());
  std::int64_t inputs = shape.features();
  for (int layer = 0; layer < hp.layers; ++layer) {
    net->push_back(GemmLinear(inputs, hp.width));
    add_activation(net, hp.activation);
    add_dropout(net, hp.dropout);
    inputs = hp.width;
  }
  net->push_back(GemmLinear(inputs, shape.outputs));
  return net;
}

nn::Sequential make_cnn(const Hyperparameters& hp, const ModelShape& shape) {
  if (shape.sample.size() != 3 || shape.sample[1] < 4 || shape.sample[2] < 4)
    throw ConfigError("model cnn needs images of at least 4x4 pixels");
  nn::Sequential net;
  std::int64_t channels = shape.sample[0];
  for (std::int64_t out : {std::int64_t{hp.channels}, std::int64_t{2} * hp.channels}) {
    net->push_back(nn::Conv2d(nn::Conv2dOptions(channels, out, 3).padding(1)));
    add_activation(net, hp.activation);
    net->push_back(nn::MaxPool2d(nn::MaxPool2dOptions(2)));
    channels = out;
  }
  net->push_back(nn::Flatten());
  add_dropout(net, hp.dropout);
  net->push_back(
      GemmLinear(channels * (shape.sample[1] / 4) * (shape.sample[2] / 4), shape.outputs));
  return net;
}

/// A Sequential as a module with forward(Tensor) (what AnyModule holds), its layers
/// registered under the Sequential's own names ("0.weight"), so checkpoints keep their keys.
class SequentialNetImpl : public nn::Module {
 public:
  explicit SequentialNetImpl(nn::Sequential layers) : layers_(std::move(layers)) {
    for (const auto& child : layers_->named_children()) register_module(child.key(), child.value());
  }
  torch::Tensor forward(torch::Tensor input) { return layers_->forward(input); }

 private:
  nn::Sequential layers_;
};
TORCH_MODULE(SequentialNet);

nn::AnyModule builtin_network(const ModelInput& input) {
  const Hyperparameters hp = Hyperparameters::from_params(input.model(), input.params());
  return nn::AnyModule(SequentialNet(make_model(hp, input.shape())));
}

}  // namespace

std::vector<RegisteredModel> builtin_models() {
  return {
      {"mlp", {int_hyperparameter("layers", 2, 0, 64), int_hyperparameter("width", 256, 1, 65536)},
       &builtin_network},
      {"cnn", {int_hyperparameter("channels", 32, 1, 1024)}, &builtin_network},
      {"resnet", resnet_hyperparameters(), &builtin_network},
  };
}

torch::nn::AnyModule make_network(const Hyperparameters& hp, const ModelShape& shape) {
  const RegisteredModel* model = find_model(hp.model);
  if (!model) throw ConfigError("model " + hp.model + " is not known");
  return model->factory(ModelInput(hp.model, hp.model_params(), shape));
}

torch::nn::Sequential make_model(const Hyperparameters& hp, const ModelShape& shape) {
  if (hp.model == "mlp") return make_mlp(hp, shape);
  if (hp.model == "cnn") return make_cnn(hp, shape);
  if (hp.model == "resnet") return make_resnet(hp, shape);
  throw ConfigError("model " + hp.model + " is not known");
}

}  // namespace rungs
