// The shipped MNIST CNN (apps/mnist_train/mnist_model.h, "wide") as TF.js-shaped layers:
// the trainer worker builds it with texel's package, the benchmark page with TF.js.
export function mnistLayers(L) {
  return [
    L.conv2d({ inputShape: [28, 28, 1], filters: 16, kernelSize: 3, activation: 'relu' }),
    L.maxPooling2d({ poolSize: 2 }),
    L.conv2d({ filters: 32, kernelSize: 3, activation: 'relu' }),
    L.maxPooling2d({ poolSize: 2 }),
    L.flatten(),
    L.dense({ units: 64, activation: 'relu' }),
    L.dense({ units: 10, activation: 'softmax' }),
  ];
}
