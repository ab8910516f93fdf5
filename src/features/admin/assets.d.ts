// The console's copy-button script, bundled as text by the [[rules]] in wrangler.toml.
declare module "*/assets/copy.js" {
  const content: string;
  export default content;
}
