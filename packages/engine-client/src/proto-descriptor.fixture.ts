import {
  FieldDescriptorProto_Label as Label,
  FieldDescriptorProto_Type as Type,
} from '@bufbuild/protobuf/wkt';

// Small builders for the FileDescriptorProto fields of the BuildKit messages Butler reads and
// writes (as protoc would describe them); @bufbuild/protobuf then does the wire format.
export { Label, Type };

export function message(name: string, field: ReturnType<typeof scalar>[]) {
  return { name, field };
}
export function scalar(name: string, number: number, type: Type) {
  return { name, number, type, label: Label.OPTIONAL, jsonName: name, typeName: '' };
}
export function repeated(name: string, number: number, typeName: string) {
  return { name, number, type: Type.MESSAGE, label: Label.REPEATED, jsonName: name, typeName };
}
export function timestamp(name: string, number: number) {
  return { ...scalar(name, number, Type.MESSAGE), typeName: '.google.protobuf.Timestamp' };
}
