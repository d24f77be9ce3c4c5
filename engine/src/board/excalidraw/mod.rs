//! Excalidraw scenes.
