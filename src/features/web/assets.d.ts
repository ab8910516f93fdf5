// The pages' stylesheet, bundled as text by the [[rules]] in wrangler.toml.
declare module "*/assets/page.css" {
  const content: string;
  export default content;
}
