//! Layer 3, text: the text envelope `GLPI-<body>-<check>`, the forgiving reader and the
//! canonical writer, and the short ID's text form. Imports the layers below (encoding, model,
//! error).

pub(crate) mod reader;
pub(crate) mod short_id;
pub(crate) mod spec;
pub(crate) mod writer;
