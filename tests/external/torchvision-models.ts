// The zoo models that reproduce a torchvision model, with the torchvision builder and the options
// the zoo file corresponds to (its golden sidecar cites torchvision's num_params). Shared by the
// name test and the pretrained end-to-end test.

/** zoo name → [torchvision builder (torchvision.models or torchvision.models.segmentation), kwargs]. */
export const TORCHVISION_MODELS: Readonly<Record<string, readonly [string, Readonly<Record<string, unknown>>]>> = {
  ...same(['resnet18', 'resnet34', 'resnet50', 'resnet101', 'resnet152', 'resnext50_32x4d', 'resnext101_32x8d', 'wide_resnet50_2']),
  ...same(['vgg11', 'vgg11_bn', 'vgg13', 'vgg13_bn', 'vgg16', 'vgg16_bn', 'vgg19', 'vgg19_bn', 'alexnet', 'squeezenet1_0', 'squeezenet1_1']),
  ...same(['densenet121', 'densenet161', 'densenet169', 'densenet201']),
  ...same(['mobilenet_v2', 'mobilenet_v3_large', 'mobilenet_v3_small', 'mnasnet1_0', 'shufflenet_v2_x1_0']),
  ...same([0, 1, 2, 3, 4, 5, 6, 7].map((b) => `efficientnet_b${b}`)),
  // the zoo leaves out the auxiliary classifiers, which only train
  googlenet: ['googlenet', { aux_logits: false, init_weights: false }],
  inception_v3: ['inception_v3', { aux_logits: false, init_weights: false }],
  vit_b_16: ['vit_b_16', {}],
  swin_t: ['swin_t', {}],
  maxvit_t: ['maxvit_t', {}],
  // the COCO_WITH_VOC_LABELS_V1 checkpoints: 21 classes, with the auxiliary FCN head
  fcn_resnet50: ['fcn_resnet50', { aux_loss: true, num_classes: 21, weights_backbone: null }],
  deeplabv3_resnet50: ['deeplabv3_resnet50', { aux_loss: true, num_classes: 21, weights_backbone: null }],
};

function same(names: readonly string[]): Record<string, readonly [string, Record<string, unknown>]> {
  return Object.fromEntries(names.map((n) => [n, [n, {}] as const]));
}
