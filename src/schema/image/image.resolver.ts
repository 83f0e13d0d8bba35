import { Arg, Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import { Container } from '../container/container.type';
import type { Context } from '../context';
import { ImageFilter } from './image.input';
import { Image, ImageLayer, Tag } from './image.type';

/** Image queries and the Image fields that need more than the image list. */
@Resolver(() => Image)
export class ImageResolver {
  @Query(() => [Image], { description: 'Like `docker images`: local images, newest first.' })
  images(
    @Arg('filter', () => ImageFilter, { nullable: true, description: 'Narrow the list, like `docker images --filter`.' }) filter: ImageFilter | null,
    @Ctx() ctx: Context,
  ): Promise<Image[]> {
    return ctx.services.images.list(filter);
  }

  @Query(() => Image, { nullable: true, description: 'One image by ref; null when it does not exist.' })
  image(
    @Arg('ref', { description: 'name[:tag], name@digest, full id (sha256:...) or a unique id prefix, as `docker` accepts.' }) ref: string,
    @Ctx() ctx: Context,
  ): Promise<Image | null> {
    return ctx.services.images.find(ref);
  }

  @FieldResolver(() => [Tag], { description: 'Its tags as objects (repository:tag, with the registry digest where known).' })
  tags(@Root() image: Image, @Ctx() ctx: Context): Tag[] {
    return ctx.services.images.tags(image);
  }

  @FieldResolver(() => String, { nullable: true, description: 'Operating system the image is for, e.g. linux.' })
  async os(@Root() image: Image, @Ctx() ctx: Context): Promise<string | null> {
    return (await ctx.services.images.details(image))?.Os || null;
  }

  @FieldResolver(() => String, { nullable: true, description: 'CPU architecture the image is for, e.g. amd64.' })
  async architecture(@Root() image: Image, @Ctx() ctx: Context): Promise<string | null> {
    return (await ctx.services.images.details(image))?.Architecture || null;
  }

  @FieldResolver(() => [String], { nullable: true, description: 'Default command (CMD); null when the image has none.' })
  async cmd(@Root() image: Image, @Ctx() ctx: Context): Promise<string[] | null> {
    return (await ctx.services.images.details(image))?.Config?.Cmd ?? null;
  }

  @FieldResolver(() => [String], { nullable: true, description: 'ENTRYPOINT; null when the image has none.' })
  async entrypoint(@Root() image: Image, @Ctx() ctx: Context): Promise<string[] | null> {
    const entrypoint = (await ctx.services.images.details(image))?.Config?.Entrypoint;
    return typeof entrypoint === 'string' ? [entrypoint] : (entrypoint ?? null);
  }

  @FieldResolver(() => [String], { description: 'Environment variables (ENV) as KEY=value.' })
  async env(@Root() image: Image, @Ctx() ctx: Context): Promise<string[]> {
    return (await ctx.services.images.details(image))?.Config?.Env ?? [];
  }

  @FieldResolver(() => [Container], { description: 'Containers created from this image, in any state.' })
  containers(@Root() image: Image, @Ctx() ctx: Context): Promise<Container[]> {
    return ctx.services.containers.createdFrom(image.id);
  }

  @FieldResolver(() => [ImageLayer], { description: 'Like `docker history`: its layers, newest first (one daemon request per image).' })
  history(@Root() image: Image, @Ctx() ctx: Context): Promise<ImageLayer[]> {
    return ctx.services.images.history(image);
  }
}
