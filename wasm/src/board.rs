//! The `Board` and `BoardOp` classes: whiteboards of shapes and the
//! operations that change them, with values crossing as plain JSON.

use echostream::board::excalidraw::{self, ExcalidrawError};
use echostream::board::{Board, BoardOp, GroupId, PropertyValue, Shape, ShapeId};
use wasm_bindgen::prelude::*;

use crate::args::{error, index_arg, number_arg, side_arg, str_arg, JsResult};
use crate::json::{from_js, parse_json, to_js, value_text};

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = r#"
/** A shape or group id: 22 URL-safe base64 characters, the first one of A, B, C or D. */
export type ShapeIdJson = string;

/** A property value; the key names its type. */
export type PropertyValueJson =
  | { number: number }
  | { string: string }
  | { bool: boolean }
  | { color: string }
  | { points: [number, number][] }
  | { binding: { shape: ShapeIdJson; focus: number; gap: number; fixedPoint?: [number, number] } }
  | { link: string }
  | { shape: ShapeIdJson };

/** The kind of a shape. */
export type ShapeKindJson =
  | "rectangle" | "ellipse" | "diamond" | "line" | "arrow"
  | "free_drawing" | "text" | "sticky_note" | "image" | "frame";

/** A shape's content: its kind, properties, text and groups (innermost first). */
export interface ShapeJson {
  kind: ShapeKindJson;
  props?: Record<string, PropertyValueJson>;
  text?: string;
  groups?: ShapeIdJson[];
}

/** A board: its shapes from the bottom of the z-order to the top. */
export interface BoardJson { shapes: ({ id: ShapeIdJson } & ShapeJson)[] }

/** One shape's place in a group change. */
export interface MemberJson { id: ShapeIdJson; index: number }

/** One change of a board operation; the key names its kind. */
export type ChangeJson =
  | { create: { id: ShapeIdJson; shape: ShapeJson; z: number } }
  | { delete: { id: ShapeIdJson; shape: ShapeJson; z: number } }
  | { set: { id: ShapeIdJson; key: string; old: PropertyValueJson | null; new: PropertyValueJson | null } }
  | { translate: { id: ShapeIdJson; dx: number; dy: number } }
  | { edit_text: { id: ShapeIdJson; op: TextOpJson } }
  | { move: { id: ShapeIdJson; from: number; to: number } }
  | { group: { group: ShapeIdJson; members: MemberJson[] } }
  | { ungroup: { group: ShapeIdJson; members: MemberJson[] } };

/** A board operation: changes applied in order, atomically. */
export type BoardOpJson = ChangeJson[];

/** A new shape's id and the operation that creates it. */
export interface CreatedShape { id: ShapeIdJson; op: BoardOp }
"#;

pub(crate) fn shape_id(value: &JsValue) -> JsResult<ShapeId> {
    Ok(str_arg(value, "shape id")?.parse::<ShapeId>()?)
}

fn group_id(value: &JsValue) -> JsResult<GroupId> {
    Ok(str_arg(value, "group id")?.parse::<GroupId>()?)
}

/// Parses Excalidraw JSON text with [`parse_json`], as every JSON text in
/// the module is parsed, and imports it. O(n log n) in the elements.
fn import_excalidraw(json: &JsValue) -> JsResult<excalidraw::Import> {
    let json = str_arg(json, "Excalidraw JSON")?;
    let value = parse_json(&json).map_err(ExcalidrawError::Json)?;
    Ok(excalidraw::import_value(&value)?)
}

/// A change to a board: create, delete, set a property, translate, edit a
/// shape's text, move in the z-order, group and ungroup.
#[wasm_bindgen(js_name = BoardOp)]
#[derive(Clone, Debug, Default)]
pub struct JsBoardOp {
    pub(crate) op: BoardOp,
}

impl From<BoardOp> for JsBoardOp {
    fn from(op: BoardOp) -> Self {
        JsBoardOp { op }
    }
}

#[wasm_bindgen(js_class = BoardOp)]
impl JsBoardOp {
    /// Returns the operation that changes nothing.
    #[wasm_bindgen(constructor)]
    pub fn new() -> JsBoardOp {
        JsBoardOp::default()
    }

    /// Reads an operation from its JSON form, a list of changes.
    #[wasm_bindgen(js_name = fromJSON)]
    pub fn from_json(
        #[wasm_bindgen(unchecked_param_type = "BoardOpJson")] json: JsValue,
    ) -> JsResult<JsBoardOp> {
        Ok(from_js::<BoardOp>(json, "board operation")?.into())
    }

    /// Returns the JSON form.
    #[wasm_bindgen(js_name = toJSON, unchecked_return_type = "BoardOpJson")]
    pub fn to_json(&self) -> JsResult<JsValue> {
        to_js(&self.op, "board operation")
    }

    /// Returns an operation that moves shape `id` by `dx`, `dy` px, each
    /// rounded to the board's 1/65536 px grid. Concurrent translations add
    /// up. Throws, naming the deltas, when one is not a finite number.
    pub fn translate(
        #[wasm_bindgen(unchecked_param_type = "ShapeIdJson")] id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "number")] dx: JsValue,
        #[wasm_bindgen(unchecked_param_type = "number")] dy: JsValue,
    ) -> JsResult<JsBoardOp> {
        let id = shape_id(&id)?;
        let dx = number_arg(&dx, "translation dx")?;
        let dy = number_arg(&dy, "translation dy")?;
        Ok(BoardOp::try_translate(id, dx, dy)?.into())
    }

    /// Returns an operation that edits the text of shape `id`.
    #[wasm_bindgen(js_name = editText)]
    pub fn edit_text(
        #[wasm_bindgen(unchecked_param_type = "ShapeIdJson")] id: JsValue,
        op: &crate::text_op::JsTextOp,
    ) -> JsResult<JsBoardOp> {
        Ok(BoardOp::edit_text(shape_id(&id)?, op.op.clone()).into())
    }

    /// Returns this operation rewritten to apply after `other`.
    pub fn transform(
        &self,
        other: &JsBoardOp,
        #[wasm_bindgen(unchecked_param_type = "Side")] side: JsValue,
    ) -> JsResult<JsBoardOp> {
        Ok(self.op.transform(&other.op, side_arg(&side)?).into())
    }

    /// Returns one operation with the effect of this one followed by
    /// `next`.
    pub fn compose(&self, next: &JsBoardOp) -> JsBoardOp {
        self.op.compose(&next.op).into()
    }

    /// Returns the operation that undoes this one on `before`, the board
    /// it applies to.
    pub fn invert(&self, before: &JsBoard) -> JsResult<JsBoardOp> {
        Ok(self.op.invert(&before.board)?.into())
    }

    /// True if the operation changes nothing.
    #[wasm_bindgen(getter, js_name = isNoop)]
    pub fn is_noop(&self) -> bool {
        self.op.is_identity()
    }

    /// Returns the JSON text of the operation.
    #[wasm_bindgen(js_name = toString)]
    pub fn to_string_js(&self) -> String {
        self.op.to_json()
    }
}

/// A whiteboard: shapes with properties, texts and groups, in a z-order.
#[wasm_bindgen(js_name = Board)]
#[derive(Clone, Debug, Default)]
pub struct JsBoard {
    pub(crate) board: Board,
}

impl From<Board> for JsBoard {
    fn from(board: Board) -> Self {
        JsBoard { board }
    }
}

#[wasm_bindgen(js_class = Board)]
impl JsBoard {
    /// Returns an empty board.
    #[wasm_bindgen(constructor)]
    pub fn new() -> JsBoard {
        JsBoard::default()
    }

    /// Reads a board from its JSON form, checking every property,
    /// reference and group.
    #[wasm_bindgen(js_name = fromJSON)]
    pub fn from_json(
        #[wasm_bindgen(unchecked_param_type = "BoardJson")] json: JsValue,
    ) -> JsResult<JsBoard> {
        Ok(from_js::<Board>(json, "board")?.into())
    }

    /// Returns the JSON form, shapes from the bottom to the top. O(n).
    #[wasm_bindgen(js_name = toJSON, unchecked_return_type = "BoardJson")]
    pub fn to_json(&self) -> JsResult<JsValue> {
        to_js(&self.board, "board")
    }

    /// Imports an Excalidraw scene or library, given as its JSON text.
    /// O(n log n) in the elements.
    #[wasm_bindgen(js_name = fromExcalidraw)]
    pub fn from_excalidraw(
        #[wasm_bindgen(unchecked_param_type = "string")] json: JsValue,
    ) -> JsResult<JsBoard> {
        Ok(import_excalidraw(&json)?.to_board()?.into())
    }

    /// Returns the operation that adds an Excalidraw scene or library,
    /// given as its JSON text, on top of this board: one create per
    /// element above the current shapes, then the references between the
    /// new shapes. It does not apply it. O(n log n) in the elements.
    #[wasm_bindgen(js_name = importExcalidrawOp)]
    pub fn import_excalidraw_op(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] json: JsValue,
    ) -> JsResult<JsBoardOp> {
        Ok(import_excalidraw(&json)?.to_op_on(&self.board).into())
    }

    /// Exports the board as an Excalidraw scene, as JSON text. O(n).
    #[wasm_bindgen(js_name = toExcalidraw)]
    pub fn to_excalidraw(&self) -> String {
        value_text(&excalidraw::export_scene(&self.board))
    }

    /// The number of shapes.
    #[wasm_bindgen(getter)]
    pub fn size(&self) -> usize {
        self.board.len()
    }

    /// Returns shape `id`, or undefined when the board has none.
    #[wasm_bindgen(unchecked_return_type = "ShapeJson | undefined")]
    pub fn shape(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ShapeIdJson")] id: JsValue,
    ) -> JsResult<JsValue> {
        match self.board.shape(shape_id(&id)?) {
            Some(shape) => to_js(shape, "shape"),
            None => Ok(JsValue::UNDEFINED),
        }
    }

    /// The shape ids from the bottom of the z-order to the top. O(n).
    #[wasm_bindgen(unchecked_return_type = "ShapeIdJson[]")]
    pub fn order(&self) -> Vec<String> {
        self.board.order().iter().map(ToString::to_string).collect()
    }

    /// The shapes of group `group`.
    #[wasm_bindgen(js_name = groupMembers, unchecked_return_type = "ShapeIdJson[]")]
    pub fn group_members(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ShapeIdJson")] group: JsValue,
    ) -> JsResult<Vec<String>> {
        let members = self.board.group_members(group_id(&group)?);
        Ok(members.iter().map(ToString::to_string).collect())
    }

    /// Applies `op` atomically, or throws and leaves the board unchanged.
    pub fn apply(&mut self, op: &JsBoardOp) -> JsResult<()> {
        Ok(self.board.apply(&op.op)?)
    }

    /// Returns a new shape id and the operation that creates `shape` at
    /// the top of the z-order, with a finite `x` and `y` rounded to the
    /// board's 1/65536 px grid. It does not apply it. Throws, naming the
    /// value, when the operation would fail to apply to this board: an
    /// invalid property, a repeated group, or a reference to a shape that
    /// is not on the board.
    #[wasm_bindgen(js_name = createOp, unchecked_return_type = "CreatedShape")]
    pub fn create_op(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ShapeJson")] shape: JsValue,
    ) -> JsResult<JsValue> {
        let shape: Shape = from_js(shape, "shape")?;
        let (id, op) = self.board.try_create_op(shape)?;
        let result = js_sys::Object::new();
        js_sys::Reflect::set(&result, &"id".into(), &id.to_string().into())
            .map_err(|_| error("failed to build the created shape"))?;
        js_sys::Reflect::set(&result, &"op".into(), &JsBoardOp::from(op).into())
            .map_err(|_| error("failed to build the created shape"))?;
        Ok(result.into())
    }

    /// Returns the operation that deletes shape `id`.
    #[wasm_bindgen(js_name = deleteOp)]
    pub fn delete_op(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ShapeIdJson")] id: JsValue,
    ) -> JsResult<JsBoardOp> {
        Ok(self.board.delete_op(shape_id(&id)?)?.into())
    }

    /// Returns the operation that sets property `key` of shape `id`, or
    /// removes it when `value` is null. A finite `x` or `y` is rounded to
    /// the board's 1/65536 px grid. A value invalid for the key, or a
    /// reference to a shape that is not on the board, throws an error that
    /// names it.
    #[wasm_bindgen(js_name = setOp)]
    pub fn set_op(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ShapeIdJson")] id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] key: JsValue,
        #[wasm_bindgen(unchecked_param_type = "PropertyValueJson | null")] value: JsValue,
    ) -> JsResult<JsBoardOp> {
        let id = shape_id(&id)?;
        let key = str_arg(&key, "property key")?;
        let value: Option<PropertyValue> = from_js(value, "property value")?;
        Ok(self.board.set_op(id, &key, value)?.into())
    }

    /// Returns the operation that moves shape `id` to z-order position
    /// `to` (0 is the bottom).
    #[wasm_bindgen(js_name = moveOp)]
    pub fn move_op(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ShapeIdJson")] id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "number")] to: JsValue,
    ) -> JsResult<JsBoardOp> {
        let id = shape_id(&id)?;
        let to = index_arg(&to, "z-order position")?;
        Ok(self.board.move_op(id, to)?.into())
    }

    /// Returns the operation that brings shape `id` to the front.
    #[wasm_bindgen(js_name = bringToFrontOp)]
    pub fn bring_to_front_op(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ShapeIdJson")] id: JsValue,
    ) -> JsResult<JsBoardOp> {
        Ok(self.board.bring_to_front_op(shape_id(&id)?)?.into())
    }

    /// Returns the operation that sends shape `id` to the back.
    #[wasm_bindgen(js_name = sendToBackOp)]
    pub fn send_to_back_op(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ShapeIdJson")] id: JsValue,
    ) -> JsResult<JsBoardOp> {
        Ok(self.board.send_to_back_op(shape_id(&id)?)?.into())
    }

    /// Returns the operation that puts `ids` into group `group`. Throws,
    /// naming the shape and the group, when a shape is not on the board,
    /// is in the group already or is listed twice.
    #[wasm_bindgen(js_name = groupOp)]
    pub fn group_op(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ShapeIdJson")] group: JsValue,
        #[wasm_bindgen(unchecked_param_type = "ShapeIdJson[]")] ids: JsValue,
    ) -> JsResult<JsBoardOp> {
        let group = group_id(&group)?;
        let ids: Vec<ShapeId> = from_js(ids, "shape id list")?;
        Ok(self.board.group_op(group, &ids)?.into())
    }

    /// Returns the operation that dissolves group `group`.
    #[wasm_bindgen(js_name = ungroupOp)]
    pub fn ungroup_op(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ShapeIdJson")] group: JsValue,
    ) -> JsResult<JsBoardOp> {
        Ok(self.board.ungroup_op(group_id(&group)?).into())
    }

    /// Returns a copy.
    #[wasm_bindgen(js_name = clone)]
    pub fn clone_js(&self) -> JsBoard {
        self.clone()
    }

    /// True if both boards hold the same shapes in the same order.
    pub fn equals(&self, other: &JsBoard) -> bool {
        self.board == other.board
    }
}

/// Returns a new random shape or group id.
#[wasm_bindgen(js_name = randomShapeId, unchecked_return_type = "ShapeIdJson")]
pub fn random_shape_id() -> String {
    ShapeId::random().to_string()
}
